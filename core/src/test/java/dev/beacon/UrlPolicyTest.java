package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class UrlPolicyTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://api.mlflow-telemetry.io/log",
        "https://example.com",
        "HTTPS://EXAMPLE.COM/x",
        "https://127.0.0.1/log",
        "https://[::1]:8443/log",
        "  https://example.com/log  ",
        "https://example.com:8443/a/b?c=d"
      })
  void httpsIsAllowedWithOrWithoutTheLoopbackFlag(String url) {
    for (boolean flag : new boolean[] {false, true}) {
      UrlPolicy.Check c = UrlPolicy.check(url, flag);
      assertThat(c.allowed()).as(url).isTrue();
      assertThat(c.reason()).isNull();
      assertThat(c.uri()).isEqualTo(URI.create(url.trim()));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1:1234/log",
        "http://127.1.2.3/",
        "http://localhost:8080/log",
        "http://LOCALHOST/",
        "http://localhost./",
        "http://[::1]:9000/log",
        "HTTP://127.0.0.1/"
      })
  void httpLoopbackIsAllowedOnlyWithAllowInsecureLoopback(String url) {
    UrlPolicy.Check allowed = UrlPolicy.check(url, true);
    assertThat(allowed.allowed()).as(url).isTrue();
    assertThat(allowed.uri().getHost()).isNotNull();

    UrlPolicy.Check refused = UrlPolicy.check(url, false);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.uri()).isNull();
    assertThat(refused.reason()).contains("allowInsecureLoopback");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://example.com/log",
        "http://0.0.0.0:1234/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://128.0.0.1/",
        "http://localhost.example.com/",
        "http://127.0.0.1.nip.io/",
        "http://[::2]/",
        "http://[::]/"
      })
  void httpNonLoopbackIsRefusedEvenWithTheFlag(String url) {
    for (boolean flag : new boolean[] {false, true}) {
      UrlPolicy.Check c = UrlPolicy.check(url, flag);
      assertThat(c.allowed()).as(url).isFalse();
      assertThat(c.reason()).isEqualTo("plain http to a non-loopback host");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://user:secret@example.com/log",
        "https://user@example.com/log",
        "https://:pw@example.com/",
        "http://user:pw@127.0.0.1/"
      })
  void credentialsAreRefused(String url) {
    UrlPolicy.Check c = UrlPolicy.check(url, true);
    assertThat(c.allowed()).isFalse();
    assertThat(c.reason()).isEqualTo("URL carries credentials");
    assertThat(c.reason()).doesNotContain("secret");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   ", "\t\n"})
  void blankIsRefused(String url) {
    UrlPolicy.Check c = UrlPolicy.check(url, true);
    assertThat(c.allowed()).isFalse();
    assertThat(c.reason()).isEqualTo("no URL");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/log",
        "log",
        "example.com/log",
        "//example.com/log",
        "https:///log",
        "https:example.com",
        "mailto:a@example.com",
        "file:///etc/passwd"
      })
  void relativeOrHostlessIsRefused(String url) {
    UrlPolicy.Check c = UrlPolicy.check(url, true);
    assertThat(c.allowed()).as(url).isFalse();
    assertThat(c.reason()).isEqualTo("not an absolute URL with a host");
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://exa mple.com/", "https://example.com/%zz", "ht tp://x", "https://[::1/"})
  void garbageIsRefused(String url) {
    UrlPolicy.Check c = UrlPolicy.check(url, true);
    assertThat(c.allowed()).isFalse();
    assertThat(c.reason()).isEqualTo("malformed URL");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://example.com/x", "ws://127.0.0.1/", "gopher://localhost/"})
  void otherSchemesAreRefused(String url) {
    UrlPolicy.Check c = UrlPolicy.check(url, true);
    assertThat(c.allowed()).isFalse();
    assertThat(c.reason()).startsWith("scheme ").endsWith(" is not https");
  }

  @Test
  void overlongUrlIsRefused() {
    String url = "https://example.com/" + "a".repeat(2048);
    UrlPolicy.Check c = UrlPolicy.check(url, true);
    assertThat(c.allowed()).isFalse();
    assertThat(c.reason()).contains("2048");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "127.0.0.1, true",
    "127.255.255.254, true",
    "127.0.0.0, true",
    "127.1.2.3, true",
    "localhost, true",
    "LOCALHOST, true",
    "LocalHost, true",
    "localhost., true",
    "[::1], true",
    "::1, true",
    "0:0:0:0:0:0:0:1, true",
    "[0:0:0:0:0:0:0:1], true",
    "0.0.0.0, false",
    "128.0.0.1, false",
    "126.255.255.255, false",
    "127.0.0.256, false",
    "127.0.0, false",
    "127.1, false",
    "127.0.0.1.1, false",
    "127.0.0.-1, false",
    "127.0.0.1a, false",
    "127.0.0.0001, false",
    "localhost.example.com, false",
    "mylocalhost, false",
    "example.com, false",
    "10.0.0.1, false",
    "::2, false",
    "[::2], false",
    "::, false",
    "::g1, false",
    "fe80::1, false",
    "'', false",
  })
  void isLoopbackJudgesTheTextOnly(String host, boolean expected) {
    assertThat(UrlPolicy.isLoopback(host)).isEqualTo(expected);
  }

  @Test
  void isLoopbackOfNullIsFalse() {
    assertThat(UrlPolicy.isLoopback(null)).isFalse();
  }
}
