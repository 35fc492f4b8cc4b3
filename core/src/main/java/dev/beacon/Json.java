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
 */
final class Json {

  /** Read limits for untrusted documents (config bodies, bus messages). */
  static final StreamReadConstraints LIMITS =
      StreamReadConstraints.builder()
          .maxNestingDepth(32)
          .maxStringLength(RemoteConfig.DEFAULT_MAX_BYTES) // the body cap bounds every string anyway
          .maxNumberLength(64)
          .maxNameLength(256)
          .maxDocumentLength(1024 * 1024)
          .build();

  static final ObjectMapper MAPPER =
      JsonMapper.builder(JsonFactory.builder().streamReadConstraints(LIMITS).build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private Json() {}
}
