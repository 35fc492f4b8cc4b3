package dev.beacon;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one Jackson mapper Beacon uses to read untrusted JSON: tight stream limits, duplicate keys
 * refused, trees only (no data binding, so no polymorphic typing can ever be triggered).
 *
 * <p>The mapper needs Jackson {@value JacksonVersion#MINIMUM} or newer. Which Jackson is on the
 * class path is checked once, when this class loads; the mapper itself sits in {@link Reader},
 * which is only loaded once the check has passed, so that an older Jackson meets a message
 * naming the versions ({@link #JACKSON_PROBLEM}) rather than a {@link NoSuchMethodError}.
 */
final class Json {

  /** Why the Jackson on the class path cannot serve the mapper, or {@code null} when it can. */
  static final String JACKSON_PROBLEM = JacksonVersion.problemOnClassPath();

  private Json() {}

  /**
   * The mapper.
   *
   * @throws IllegalStateException naming the Jackson versions found and the one needed, when the
   *     Jackson on the class path is older than {@value JacksonVersion#MINIMUM}
   */
  static ObjectMapper mapper() {
    if (JACKSON_PROBLEM != null) {
      throw new IllegalStateException(JACKSON_PROBLEM);
    }
    return Reader.MAPPER;
  }

  /** Loaded by the first {@link #mapper()} call that passes the version check. */
  private static final class Reader {

    /** Read limits for untrusted documents (config bodies, bus messages). */
    static final StreamReadConstraints LIMITS =
        StreamReadConstraints.builder()
            .maxNestingDepth(32)
            .maxStringLength(RemoteConfig.DEFAULT_MAX_BYTES) // the body cap bounds every string anyway
            .maxNumberLength(64)
            .maxNameLength(256) // Jackson 2.16
            .maxDocumentLength(1024 * 1024) // Jackson 2.16
            .build();

    static final ObjectMapper MAPPER =
        JsonMapper.builder(JsonFactory.builder().streamReadConstraints(LIMITS).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Reader() {}
  }
}
