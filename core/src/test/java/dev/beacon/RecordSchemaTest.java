package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecordSchemaTest {

  @Test
  void idsAre32HexOrDashedUuidsInCanonicalForm() {
    assertThat(RecordSchema.id("45e2751243e84c7e87aca6ac25d75a0d")).isEqualTo("45e2751243e84c7e87aca6ac25d75a0d");
    assertThat(RecordSchema.id("45E2751243E84C7E87ACA6AC25D75A0D")).isEqualTo("45e2751243e84c7e87aca6ac25d75a0d");
    assertThat(RecordSchema.id("0dc6df31-3c94-4214-84fc-4ee8ce874c4c")).isEqualTo("0dc6df313c94421484fc4ee8ce874c4c");
    for (Object bad : new Object[] {null, 42, "", "45e2751243e84c7e87aca6ac25d75a0", "45e2751243e84c7e87aca6ac25d75a0dd",
        "g5e2751243e84c7e87aca6ac25d75a0d", "0dc6df31-3c94-4214-84fc4-ee8ce874c4c", "{0dc6df31-3c94-4214-84fc-4ee8ce874c4}",
        List.of("45e2751243e84c7e87aca6ac25d75a0d")}) {
      assertThat(RecordSchema.id(bad)).as("%s", bad).isNull();
    }
  }

  @Test
  void tokensAreShortAndOfAFixedAlphabet() {
    for (String ok : List.of("3.7.0", "3.7.0rc0", "0.1.0-SNAPSHOT", "3.7.0+local", "mlflow-skinny", "17.0.15", "x")) {
      assertThat(RecordSchema.token(ok)).isEqualTo(ok);
    }
    for (Object bad : new Object[] {null, "", " 3.7.0", "3.7 0", "a".repeat(65), "3.7.0;drop", "é", 3.7, true}) {
      assertThat(RecordSchema.token(bad)).as("%s", bad).isNull();
    }
  }

  @Test
  void operatingSystemsArePrintableAsciiWithoutQuotesAndTheirFamilyIsPythonsName() {
    assertThat(RecordSchema.operatingSystem("Linux-6.1.123+-x86_64-with-glibc2.35")).isNotNull();
    assertThat(RecordSchema.operatingSystem("Mac OS X-14.2-aarch64")).isNotNull();
    for (Object bad : new Object[] {null, "", "a".repeat(129), "Linux\n", "Linux \"x\"", "Linux<script>", "Lïnux", 1}) {
      assertThat(RecordSchema.operatingSystem(bad)).as("%s", bad).isNull();
    }
    assertThat(RecordSchema.osFamily("Linux-6.8.0-1017-aws-x86_64-with-glibc2.39")).isEqualTo("linux");
    assertThat(RecordSchema.osFamily("macOS-15.4.1-arm64-arm-64bit")).isEqualTo("darwin");
    assertThat(RecordSchema.osFamily("Darwin-23.1.0-arm64")).isEqualTo("darwin");
    assertThat(RecordSchema.osFamily("Mac OS X-14.2-aarch64")).isEqualTo("darwin");
    assertThat(RecordSchema.osFamily("Windows-11-10.0.22631-SP0")).isEqualTo("win32");
    assertThat(RecordSchema.osFamily("Windows 11-10.0-amd64")).isEqualTo("win32");
    assertThat(RecordSchema.osFamily("FreeBSD-14.0-amd64")).isEqualTo("freebsd");
    assertThat(RecordSchema.osFamily(null)).isNull();
  }

  @Test
  void schemesAreTheClassesOnlyWithMlflowsServerSuffixesDropped() {
    for (String s : ClientInfo.SCHEMES) {
      assertThat(RecordSchema.trackingUriScheme(s)).isEqualTo(s);
    }
    assertThat(RecordSchema.trackingUriScheme("http-sql")).isEqualTo("http");
    assertThat(RecordSchema.trackingUriScheme("https-file")).isEqualTo("https");
    for (Object bad : new Object[] {null, "", "None", "aws", "sqlite-x", "HTTP", "https://host", 1}) {
      assertThat(RecordSchema.trackingUriScheme(bad)).as("%s", bad).isNull();
    }
  }

  @Test
  void durationsAreNonNegativeIntegersAndTimestampsPositiveNanosKeptToTheMicrosecond() {
    assertThat(RecordSchema.durationMs(0)).isZero();
    assertThat(RecordSchema.durationMs(12L)).isEqualTo(12L);
    for (Object bad : new Object[] {null, -1, -1L, 1.0, 1.5, "12", new BigInteger("123456789012345678901234567890"), true}) {
      assertThat(RecordSchema.durationMs(bad)).as("%s", bad).isNull();
    }
    assertThat(RecordSchema.timestamp(1753760188623715999L)).isEqualTo(Instant.parse("2025-07-29T03:36:28.623715Z"));
    for (Object bad : new Object[] {null, 0L, -5L, 1.7e18, "1753760188623715000", Map.of()}) {
      assertThat(RecordSchema.timestamp(bad)).as("%s", bad).isNull();
    }
  }

  @Test
  void partitionKeysAreUuidsOrStableNameBasedOnes() {
    UUID u = UUID.fromString("9f1c2e0b-7a4d-4b0c-8e2f-6a1b3c5d7e9f");
    assertThat(RecordSchema.partitionKey("9f1c2e0b7a4d4b0c8e2f6a1b3c5d7e9f")).isEqualTo(u);
    assertThat(RecordSchema.partitionKey("9F1C2E0B-7A4D-4B0C-8E2F-6A1B3C5D7E9F")).isEqualTo(u);
    assertThat(RecordSchema.partitionKey("ffffffffffffffffffffffffffffffff")).isEqualTo(new UUID(-1, -1));
    assertThat(RecordSchema.partitionKey("shard 7")).isEqualTo(RecordSchema.partitionKey("shard 7"))
        .isNotEqualTo(RecordSchema.partitionKey("shard 8"));
    for (Object bad : new Object[] {null, "", "k".repeat(65), "tab\t", "caf\u00e9", 7, List.of()}) {
      assertThat(RecordSchema.partitionKey(bad)).as("%s", bad).isNull();
    }
  }

  @Test
  void theFieldNamesAreTheOnesTheEncoderWrites() {
    ClientInfo info = ClientInfo.of("45e2751243e84c7e87aca6ac25d75a0d", Profiles.mlflow("3.7.0"), "17.0.15",
        "Linux", "6.1", "amd64", "sqlite:///x.db");
    String body = new String(new WireEncoder(info).encodeRecord(
        TelemetryEvent.of("create_run", Status.SUCCESS, 1L, Map.of("imports", List.of("smile"))), "k"),
        java.nio.charset.StandardCharsets.UTF_8);
    for (String field : List.of(RecordSchema.DATA, RecordSchema.PARTITION_KEY, RecordSchema.SESSION_ID,
        RecordSchema.SOURCE_SDK, RecordSchema.SCHEMA_VERSION, RecordSchema.JAVA_VERSION, RecordSchema.OPERATING_SYSTEM,
        RecordSchema.TRACKING_URI_SCHEME, RecordSchema.IS_LOCALHOST, RecordSchema.EVENT_NAME, RecordSchema.STATUS,
        RecordSchema.TIMESTAMP_NS, RecordSchema.DURATION_MS, RecordSchema.PARAMS)) {
      assertThat(body).contains("\"" + field + "\":");
    }
  }
}
