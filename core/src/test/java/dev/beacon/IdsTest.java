package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdsTest {

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "0x0000000000000000, 0x0000000000000000, 00000000000000000000000000000000",
    "0xffffffffffffffff, 0xffffffffffffffff, ffffffffffffffffffffffffffffffff",
    "0x0123456789abcdef, 0xfedcba9876543210, 0123456789abcdeffedcba9876543210",
    "0x0000000000000001, 0x1000000000000000, 00000000000000011000000000000000",
    "0x8000000000000000, 0x000000000000000a, 8000000000000000000000000000000a",
  })
  void hex32WritesBothHalvesAsLowercaseHexWithLeadingZeros(String hi, String lo, String expected) {
    assertThat(Ids.hex32(Long.parseUnsignedLong(hi.substring(2), 16), Long.parseUnsignedLong(lo.substring(2), 16)))
        .isEqualTo(expected);
  }

  @Test
  void hex32IsAUuidWithoutDashes() {
    UUID uuid = UUID.fromString("45e27512-43e8-4c7e-87ac-a6ac25d75a0d");
    assertThat(Ids.hex32(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits()))
        .isEqualTo("45e2751243e84c7e87aca6ac25d75a0d");
  }

  @Test
  void newSessionIdIsARandomVersion4UuidAsHex() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = Ids.newSessionId();
      assertThat(id).matches("[0-9a-f]{32}");
      assertThat(id.charAt(12)).as("version nibble").isEqualTo('4');
      assertThat(id.charAt(16)).as("variant nibble").isIn('8', '9', 'a', 'b');
      seen.add(id);
    }
    assertThat(seen).hasSize(1000);
  }

  @Test
  void randomHex32IsDistinct() {
    SplittableRandom random = new SplittableRandom(42);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = Ids.randomHex32(random);
      assertThat(id).matches("[0-9a-f]{32}");
      seen.add(id);
    }
    assertThat(seen).hasSize(10_000);
  }

  @Test
  void randomHex32FollowsItsGenerator() {
    assertThat(Ids.randomHex32(new Random(1))).isEqualTo(Ids.randomHex32(new Random(1)));
    Random r = new Random(1);
    long hi = r.nextLong();
    long lo = r.nextLong();
    assertThat(Ids.randomHex32(new Random(1))).isEqualTo(Ids.hex32(hi, lo));
  }
}
