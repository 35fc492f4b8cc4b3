package dev.beacon.collector.store.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void hexIdsMapExactlyInEitherCaseAndDashedForm() {
    UUID u = UUID.fromString("0123abcd-4567-89ef-0123-456789abcdef");
    assertThat(Ids.uuid("0123abcd456789ef0123456789abcdef")).isEqualTo(u);
    assertThat(Ids.uuid("0123ABCD456789EF0123456789ABCDEF")).isEqualTo(u);
    assertThat(Ids.uuid("0123abcd-4567-89ef-0123-456789abcdef")).isEqualTo(u);
    assertThat(Ids.uuid(null)).isNull();
  }

  @Test
  void otherStringsMapToDistinctNameBasedUuids() {
    assertThat(Ids.uuid("s1")).isEqualTo(UUID.nameUUIDFromBytes("s1".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(Ids.uuid("s1")).isNotEqualTo(Ids.uuid("s2"));
    // 32 characters, not all hex; and non-ASCII digits are not hex digits
    assertThat(Ids.uuid("0123abcd456789ef0123456789abcdeg")).isEqualTo(UUID.nameUUIDFromBytes("0123abcd456789ef0123456789abcdeg".getBytes(
        java.nio.charset.StandardCharsets.UTF_8)));
    String arabic = "\u0660".repeat(32);
    assertThat(Ids.uuid(arabic)).isNotEqualTo(new UUID(0, 0));
    assertThat(Ids.uuid("0123abcd-4567-89ef-0123-456789abcdeX")).isNotNull();
  }
}
