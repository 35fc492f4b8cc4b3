package dev.beacon.fuzz;

import static dev.beacon.fuzz.Gen.w;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.ClientInfo;
import dev.beacon.Consent;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.UrlPolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rules that read what the host gives: the backend URI's scheme class, the endpoint URL policy,
 * and consent from the environment and system properties. None throws, whatever the input; the
 * scheme class is always one of a fixed set (never part of the URI); an allowed URL is https or
 * plain http to loopback when allowed; consent is off whenever one of its rules says so.
 */
class InputRulesFuzzTest {

  private static final Profile MLFLOW = Hostile.MLFLOW;
  private static final String SESSION = "45e2751243e84c7e87aca6ac25d75a0d";

  // ------------------------------------------------------------------ tracking URI scheme

  private static final Gen<String> BACKEND_URIS = backendUris();

  private static Gen<String> backendUris() {
    Gen<String> scheme =
        Gen.frequency(
            w(3, Gen.of(
                "file", "sqlite", "mysql", "mysql+pymysql", "postgresql", "postgresql+psycopg2", "postgres",
                "mssql", "mssql+pyodbc", "http", "https", "HTTP", "http+unix", "https+x", "databricks",
                "databricks-uc", "uc", "DATABRICKS", "s3", "gs", "models", "runs", "custom", "c", "a1+.-")),
            w(1, Gen.strings(Gen.charsOf(Gen.ALPHA_NUMERIC + "+.-_"), 0, 10)),
            w(1, Hostile.text()));
    Gen<String> rest =
        Gen.frequency(
            w(2, Gen.of("", "/", "//", "///tmp/mlflow.db", "//user:secret@db.internal:5432/mlflow",
                "//localhost:5000", "//127.0.0.1", "//[::1]:80/x", "//example.com/path?token=abc#frag", "profile")),
            w(2, Hostile.text()));
    Gen<String> colon = Gen.of(":", "://", "");
    return Gen.<String>frequency(
            w(5, r -> scheme.next(r) + colon.next(r) + rest.next(r)),
            w(1, Gen.of(
                "databricks", "databricks-uc", "uc", " Databricks ", "C:\\mlruns", "c:/mlruns", "\\\\server\\share",
                "./mlruns", "mlruns", "", " ", "\t\n", ":", "1abc:x", "\u0000:x")),
            w(3, Hostile.text()))
        .orNull(0.02);
  }

  @Test
  void trackingUriSchemeIsAFixedClassNeverPartOfTheUri() {
    Gen.forAll(0x1A9E_0001L, 1500, BACKEND_URIS, InputRulesFuzzTest::trackingUriSchemeIsAFixedClassNeverPartOfTheUri);
  }

  private static void trackingUriSchemeIsAFixedClassNeverPartOfTheUri(String uri) {
    String scheme = ClientInfo.trackingUriScheme(uri);
    if (uri == null || uri.isBlank()) {
      assertThat(scheme).isNull();
    } else {
      assertThat(scheme).as("scheme class of %s", Hostile.describe(uri)).isIn(ClientInfo.SCHEMES);
    }
    // the whole client info builds from it, and is_localhost is set for http(s) backends only
    ClientInfo info = ClientInfo.of(SESSION, MLFLOW, "17.0.15", "Linux", "6.1.0", "amd64", uri);
    assertThat(info.trackingUriScheme()).isEqualTo(scheme);
    assertThat(info.isLocalhost() != null).isEqualTo("http".equals(scheme) || "https".equals(scheme));
    assertThat(ClientInfo.isLocalhost(uri) || !ClientInfo.isLocalhost(uri)).isTrue(); // never throws
  }

  // ------------------------------------------------------------------ URL policy

  private static final Gen<String> URLS = urls();

  private static Gen<String> urls() {
    Gen<String> scheme = Gen.of("https", "http", "HTTPS", "Http", "ftp", "ws", "", "file", "h ttp");
    Gen<String> separator = Gen.of("://", ":", ":///", "//");
    Gen<String> userInfo = Gen.of("", "", "", "user@", "user:pw@", "@", ":@");
    Gen<String> host =
        Gen.frequency(
            w(4, Gen.of(
                "127.0.0.1", "127.255.255.255", "127.0.0.256", "127.1", "127.0.0.01", "localhost", "LOCALHOST.",
                "localhost.localdomain", "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::]", "::1",
                "0.0.0.0", "10.0.0.1", "example.com", "127.0.0.1.nip.io", "xn--nxasmq6b.com", "[fe80::1%25eth0]",
                "", "2130706433", "0x7f000001", "[::1", "exa_mple.com")),
            w(1, Hostile.text()));
    Gen<String> port = Gen.of("", ":0", ":443", ":65535", ":65536", ":99999999999", ":-1", ":x");
    Gen<String> path =
        Gen.frequency(
            w(3, Gen.of("", "/", "/log", "/a b", "/%zz", "?q=1", "#f", "/\u00e9")),
            w(1, Hostile.text()));
    return Gen.<String>frequency(
            w(5, r -> scheme.next(r) + separator.next(r) + userInfo.next(r) + host.next(r) + port.next(r) + path.next(r)),
            w(1, Gen.of(" https://example.com/log ", "https://" + "a".repeat(2048), "\thttp://localhost/\n")),
            w(2, Hostile.text()))
        .orNull(0.02);
  }

  record UrlCase(String url, boolean allowInsecureLoopback) {
    @Override
    public String toString() {
      return "UrlCase[" + Hostile.describe(url) + ", allowInsecureLoopback=" + allowInsecureLoopback + "]";
    }
  }

  @Test
  void urlPolicyAllowsOnlyHttpsOrLoopbackHttpWhenAllowed() {
    Gen.forAll(
        0x1A9E_0002L, 1500, r -> new UrlCase(URLS.next(r), r.nextBoolean()),
        c -> urlPolicyAllowsOnlyHttpsOrLoopbackHttpWhenAllowed(c.url(), c.allowInsecureLoopback()));
  }

  private static void urlPolicyAllowsOnlyHttpsOrLoopbackHttpWhenAllowed(String url, boolean allowInsecureLoopback) {
    UrlPolicy.Check check = UrlPolicy.check(url, allowInsecureLoopback);
    assertThat(check).isNotNull();
    if (!check.allowed()) {
      assertThat(check.uri()).isNull();
      assertThat(check.reason()).isNotBlank();
    } else {
      assertThat(check.reason()).isNull();
      assertThat(check.uri()).isNotNull();
      assertThat(check.uri().getHost()).isNotBlank();
      assertThat(check.uri().getRawUserInfo()).as("no credentials in %s", url).isNull();
      String scheme = check.uri().getScheme().toLowerCase(Locale.ROOT);
      boolean loopback = UrlPolicy.isLoopback(check.uri().getHost());
      assertThat(scheme.equals("https") || (scheme.equals("http") && allowInsecureLoopback && loopback))
          .as("allowed %s", Hostile.describe(url))
          .isTrue();
      if (scheme.equals("http")) {
        // loopback judged from the text, independently: 127/8 dotted quad, localhost, ::1
        String h = check.uri().getHost().toLowerCase(Locale.ROOT);
        assertThat(h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.?") || h.matches("localhost\\.?") || h.startsWith("["))
            .as("plain http only to loopback: %s", h)
            .isTrue();
      }
    }
    // allowing insecure loopback never refuses what the strict policy allows
    if (UrlPolicy.check(url, false).allowed()) {
      assertThat(UrlPolicy.check(url, true).allowed()).isTrue();
    }
  }

  @Test
  void loopbackIsJudgedFromTextAndNeverThrows() {
    Gen.forAll(0x1A9E_0003L, 800, HOSTS, host -> {
      boolean loopback = UrlPolicy.isLoopback(host);
      if (host != null && (host.equals("0.0.0.0") || host.isEmpty())) {
        assertThat(loopback).isFalse();
      }
      if (host != null && host.matches("127\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)")) {
        assertThat(loopback).isTrue();
      }
    });
  }

  private static final Gen<String> HOSTS = hosts();

  private static Gen<String> hosts() {
    Gen<Integer> octet = Gen.ints(0, 300);
    Gen<String> first = Gen.of("127", "0", "128", "0127");
    return Gen.<String>frequency(
            w(2, r -> {
              int a = octet.next(r);
              int b = octet.next(r);
              int c = octet.next(r);
              return first.next(r) + "." + a + "." + b + "." + c;
            }),
            w(2, Gen.strings(Gen.charsOf("0123456789abcdef:.[]"), 0, 40)),
            w(1, Gen.of("localhost", "LocalHost.", "localhost..", "::1", "[::1]", "0.0.0.0", "")),
            w(2, Hostile.text()))
        .orNull(0.02);
  }

  // ------------------------------------------------------------------ consent

  private static final List<String> VARIABLES =
      List.of(
          "MLFLOW_DISABLE_TELEMETRY", "DO_NOT_TRACK", "CI", "GITHUB_ACTIONS", "CIRCLECI", "GITLAB_CI", "JENKINS_URL",
          "TRAVIS", "TF_BUILD", "BITBUCKET_BUILD_NUMBER", "CODEBUILD_BUILD_ARN", "CODEBUILD_BUILD_ID", "BUILDKITE",
          "TEAMCITY_VERSION", "ci", "do_not_track", "mlflow_disable_telemetry", "CI ", "BEACON_TELEMETRY_DEBUG",
          "MLFLOW_DISABLE_TELEMETRY_X", "HOME");

  private static final Gen<Map<String, String>> ENVIRONMENTS = environments();

  private static Gen<Map<String, String>> environments() {
    Gen<String> key = Gen.frequency(w(6, Gen.elements(VARIABLES)), w(1, Hostile.text()));
    Gen<String> value =
        Gen.<String>frequency(
                w(6, Gen.of(
                    "true", "1", "false", "0", " TRUE ", "False\t", "FALSE", "", " ", "yes", "no", "off", "on",
                    "fals", "0 ", " 1", "01", "true\u0000", "\u00a0true", "١", "ｔｒｕｅ", "tru\u0130")),
                w(2, Hostile.text()))
            .orNull(0.05);
    return Gen.entries(key, value)
        .list(0, 6)
        .map(entries -> {
          Map<String, String> m = new HashMap<>();
          entries.forEach(e -> m.put(e.getKey(), e.getValue()));
          return m;
        });
  }

  record ConsentCase(Map<String, String> env, Map<String, String> sysProps) {
    @Override
    public String toString() {
      return "ConsentCase[env=" + Hostile.describe(env) + ", sysProps=" + Hostile.describe(sysProps) + "]";
    }
  }

  @Test
  void consentIsOffWheneverARuleSaysSo() {
    Gen.forAll(
        0x1A9E_0004L, 1500, r -> new ConsentCase(ENVIRONMENTS.next(r), ENVIRONMENTS.next(r)),
        c -> consentIsOffWheneverARuleSaysSo(c.env(), c.sysProps()));
  }

  private static void consentIsOffWheneverARuleSaysSo(Map<String, String> env, Map<String, String> sysProps) {
    Decision d = Consent.decide(env, sysProps, MLFLOW);
    assertThat(d).isNotNull();
    assertThat(d.detail()).isNotBlank();

    String opt = MLFLOW.optOutVariable();
    boolean optOut = optsOut(env.get(opt)) || optsOut(sysProps.get(opt));
    boolean dnt = isTrue(env.get("DO_NOT_TRACK")) || isTrue(sysProps.get("DO_NOT_TRACK"));
    boolean ci = Consent.CI_VARIABLES.stream().anyMatch(v -> optsOut(env.get(v)));

    assertThat(d.enabled()).as("env=%s sysProps=%s -> %s", env, sysProps, d).isEqualTo(!(optOut || dnt || ci));
    if (optOut) {
      assertThat(d.cause()).isEqualTo(Decision.Cause.OPT_OUT);
    } else if (dnt) {
      assertThat(d.cause()).isEqualTo(Decision.Cause.DO_NOT_TRACK);
    } else if (ci) {
      assertThat(d.cause()).isEqualTo(Decision.Cause.CI);
    }

    // the same through Environment, and the live re-check (system properties only, no CI)
    assertThat(Environment.of(env, sysProps).consent(MLFLOW)).isEqualTo(d);
    Decision live = Consent.live(Consent.lookup(sysProps), MLFLOW);
    assertThat(live == null).isEqualTo(!(optsOut(sysProps.get(opt)) || isTrue(sysProps.get("DO_NOT_TRACK"))));
    Consent.debug(Consent.lookup(env), Consent.lookup(sysProps), MLFLOW); // never throws
  }

  /** Present with any value except false/0 (trimmed, any case). */
  private static boolean optsOut(String value) {
    if (value == null) {
      return false;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    return !(v.equals("false") || v.equals("0"));
  }

  private static boolean isTrue(String value) {
    if (value == null) {
      return false;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    return v.equals("true") || v.equals("1");
  }
}
