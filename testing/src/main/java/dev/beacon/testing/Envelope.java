package dev.beacon.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Reads Beacon's ingestion envelope, {@code {"records":[{"data":{...},"partition-key":"..."}]}}, as plain maps. */
final class Envelope {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  private Envelope() {}

  /**
   * The {@code data} objects of a body, in order; {@code null} when the body is not an envelope
   * (then {@code problem} says why). A record that is not an object with a {@code data} object is
   * skipped and reported.
   */
  static List<Map<String, Object>> records(byte[] body, Consumer<String> problem) {
    Map<String, Object> root;
    try {
      root = MAPPER.readValue(body, OBJECT);
    } catch (IOException | RuntimeException e) {
      problem.accept("the body is not a JSON object: " + shorten(new String(body, java.nio.charset.StandardCharsets.UTF_8)));
      return null;
    }
    if (root == null || !(root.get("records") instanceof List<?> list)) {
      problem.accept("the body has no \"records\" array: " + shorten(String.valueOf(root)));
      return null;
    }
    List<Map<String, Object>> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Object entry = list.get(i);
      if (entry instanceof Map<?, ?> m && m.get("data") instanceof Map<?, ?> data) {
        if (!(m.get("partition-key") instanceof String)) {
          problem.accept("record " + i + " has no \"partition-key\" string");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) data;
        out.add(typed);
      } else {
        problem.accept("record " + i + " is not {\"data\": {...}, \"partition-key\": ...}: " + shorten(String.valueOf(entry)));
      }
    }
    return out;
  }

  /** {@code json} read as an object, or {@code null} when it is not one. */
  static Map<String, Object> object(String json) {
    try {
      return MAPPER.readValue(json, OBJECT);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** At most 200 characters of {@code s}, for messages. */
  static String shorten(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
