package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientInfoTest {

  private static final Profile MLFLOW = Profiles.mlflow("3.7.0");
  private static final String SESSION = "45e2751243e84c7e87aca6ac25d75a0d";

  private static ClientInfo info(String backendUri) {
    return ClientInfo.of(SESSION, MLFLOW, "17.0.15", "Linux", "6.1.0-18-amd64", "amd64", backendUri);
  }

  // --- tracking_uri_scheme --------------------------------------------------------------------

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  ", "\t"})
  void noBackendHasNoScheme(String uri) {
    assertThat(ClientInfo.trackingUriScheme(uri)).isNull();
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource({
    // local paths and file URIs
    "/tmp/mlruns, file",
    "./mlruns, file",
    "mlruns, file",
    "../a/b, file",
    "'C:\\mlruns', file",
    "'c:/mlruns', file",
    "'\\\\server\\share\\mlruns', file",
    "file:///tmp, file",
    "file:/tmp/mlruns, file",
    "FILE:///tmp, file",
    "'  /tmp/mlruns  ', file",
    // databases, driver suffixes ignored
    "sqlite:///db, sqlite",
    "sqlite:///mlflow.db, sqlite",
    "mysql://user:pw@db.internal:3306/mlflow, mysql",
    "mysql+pymysql://u@h/db, mysql",
    "postgresql://h/db, postgresql",
    "postgresql+psycopg2://h/db, postgresql",
    "postgres://h/db, postgresql",
    "mssql+pyodbc://h/db, mssql",
    "MYSQL://h/db, mysql",
    // http
    "http://localhost:5000, http",
    "https://mlflow.example.com, https",
    "HTTPS://mlflow.example.com, https",
    "http+unix://%2Fvar%2Frun, custom_scheme",
    // databricks
    "databricks://profile, databricks",
    "databricks://, databricks",
    "databricks-uc://profile, databricks",
    "uc:databricks-uc, databricks",
    // anything else
    "s3://bucket/x, custom_scheme",
    "foo:bar, custom_scheme",
    "gs://bucket, custom_scheme",
    "azureml://x, custom_scheme",
  })
  void trackingUriSchemeTable(String uri, String expected) {
    assertThat(ClientInfo.trackingUriScheme(uri)).isEqualTo(expected);
    assertThat(ClientInfo.SCHEMES).contains(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"databricks", "databricks-uc", "uc", " databricks "})
  void bareDatabricksIsDatabricks(String uri) {
    assertThat(ClientInfo.trackingUriScheme(uri)).isEqualTo("databricks");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\u0000",
        "\uD800:x",
        "\uD83D\uDE80://x",
        "x\u0000y://z",
        "::::",
        ":",
        "1http://x",
        "https:"
      })
  void oddUrisNeverThrowAndGiveAKnownClass(String uri) {
    String scheme = ClientInfo.trackingUriScheme(uri);
    assertThat(scheme).isIn(ClientInfo.SCHEMES);
  }

  // --- is_localhost ---------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "http://localhost:5000, true",
    "https://localhost, true",
    "http://LOCALHOST:5000/, true",
    "http://127.0.0.1:5000, true",
    "http://127.1.2.3, true",
    "http://[::1]:5000, true",
    "http://0.0.0.0:5000, false",
    "https://example.com, false",
    "http://10.0.0.1:5000, false",
    "http://localhost.example.com, false",
  })
  void isLocalhostForHttpBackends(String uri, boolean expected) {
    ClientInfo info = info(uri);
    assertThat(info.isLocalhost()).isEqualTo(expected);
    assertThat(ClientInfo.isLocalhost(uri)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"sqlite:///db", "/tmp/mlruns", "databricks://localhost", "file://localhost/tmp", "s3://localhost/x"})
  void isLocalhostIsNullForNonHttpBackends(String uri) {
    assertThat(info(uri).isLocalhost()).isNull();
  }

  @Test
  void isLocalhostIsNullWithoutABackend() {
    ClientInfo info = info(null);
    assertThat(info.trackingUriScheme()).isNull();
    assertThat(info.isLocalhost()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://exa mple", "http://", "http://[::1"})
  void unparsableHttpUriIsNotLocalhost(String uri) {
    assertThat(ClientInfo.isLocalhost(uri)).isFalse();
  }

  @Test
  void isLocalhostOfNullIsFalse() {
    assertThat(ClientInfo.isLocalhost(null)).isFalse();
  }

  // --- platform and versions ------------------------------------------------------------------

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource({
    "Linux, linux",
    "linux, linux",
    "Mac OS X, darwin",
    "Darwin, darwin",
    "Windows 11, win32",
    "Windows 10, win32",
    "Windows Server 2022, win32",
    "FreeBSD, freebsd",
    "SunOS, sunos",
    "'Some OS 2', someos2",
    "'', ''",
  })
  void platformNamesTheOsLikeSysPlatform(String osName, String expected) {
    assertThat(ClientInfo.platform(osName)).isEqualTo(expected);
  }

  @Test
  void platformOfNullIsEmpty() {
    assertThat(ClientInfo.platform(null)).isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "17.0.15+6, 17.0.15",
    "17.0.15+6-Debian-1deb12u1, 17.0.15",
    "21, 21.0.0",
    "21.0.2, 21.0.2",
    "17-ea, 17.0.0",
  })
  void javaVersionIsFeatureInterimUpdate(String runtime, String expected) {
    assertThat(ClientInfo.javaVersion(Runtime.Version.parse(runtime))).isEqualTo(expected);
  }

  // --- of / current ---------------------------------------------------------------------------

  @Test
  void ofFillsEveryField() {
    ClientInfo info = ClientInfo.of(SESSION, MLFLOW, "17.0.15", "Mac OS X", "14.5", "aarch64", "https://localhost:5000");
    assertThat(info.sessionId()).isEqualTo(SESSION);
    assertThat(info.sourceSdk()).isEqualTo("mlflow-java");
    assertThat(info.versionKey()).isEqualTo("mlflow_version");
    assertThat(info.sdkVersion()).isEqualTo("3.7.0");
    assertThat(info.schemaVersion()).isEqualTo(2);
    assertThat(info.javaVersion()).isEqualTo("17.0.15");
    assertThat(info.operatingSystem()).isEqualTo("Mac OS X-14.5-arm64");
    assertThat(info.platform()).isEqualTo("darwin");
    assertThat(info.trackingUriScheme()).isEqualTo("https");
    assertThat(info.isLocalhost()).isTrue();
  }

  @Test
  void currentHasAFreshSessionIdAndThisJvmsFacts() {
    ClientInfo a = ClientInfo.current(MLFLOW, "sqlite:///x.db");
    ClientInfo b = ClientInfo.current(MLFLOW, "sqlite:///x.db");
    assertThat(a.sessionId()).matches("[0-9a-f]{32}");
    assertThat(b.sessionId()).matches("[0-9a-f]{32}");
    assertThat(a.sessionId()).isNotEqualTo(b.sessionId());
    assertThat(a.javaVersion()).matches("\\d+\\.\\d+\\.\\d+").startsWith(Runtime.version().feature() + ".");
    assertThat(a.operatingSystem())
        .isEqualTo(
            System.getProperty("os.name") + "-" + System.getProperty("os.version") + "-"
                + ClientInfo.machine(System.getProperty("os.name"), System.getProperty("os.arch")));
    assertThat(a.platform()).isEqualTo(ClientInfo.platform(System.getProperty("os.name")));
    assertThat(a.trackingUriScheme()).isEqualTo("sqlite");
    assertThat(a.isLocalhost()).isNull();
  }

  @Test
  void theUriTextNeverAppearsInTheRecord() {
    String uri = "https://alice:s3cr3t@tracking.corp-internal.example:5000/ajax-api?token=abcdef";
    ClientInfo info = info(uri);
    assertThat(info.trackingUriScheme()).isEqualTo("https");
    assertThat(info.isLocalhost()).isFalse();

    String record = info.toString();
    WireEncoder encoder = new WireEncoder(info);
    byte[] wire =
        encoder.encodeRecord(
            new TelemetryEvent("create_run", Status.SUCCESS, 1L, null, Map.of("imports", List.of("smile"))),
            "9f1c2e0b7a4d4b0c8e2f6a1b3c5d7e9f");
    String wireText = new String(wire, StandardCharsets.UTF_8);
    for (String secret : List.of("alice", "s3cr3t", "corp-internal", "5000", "ajax-api", "token", "abcdef")) {
      assertThat(record).doesNotContain(secret);
      assertThat(wireText).doesNotContain(secret);
    }
  }

  @Test
  void databaseCredentialsNeverAppearInTheRecord() {
    ClientInfo info = info("postgresql+psycopg2://admin:hunter2@db.internal:5432/mlflow");
    assertThat(info.toString()).doesNotContain("admin", "hunter2", "db.internal", "psycopg2");
    assertThat(info.trackingUriScheme()).isEqualTo("postgresql");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "45E2751243E84C7E87ACA6AC25D75A0D", "45e27512-43e8-4c7e-87ac-a6ac25d75a0d", "abc", "gggggggggggggggggggggggggggggggg"})
  void rejectsABadSessionIdWithTheValue(String sessionId) {
    assertThatThrownBy(() -> ClientInfo.of(sessionId, MLFLOW, "17.0.15", "Linux", "6", "amd64", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + sessionId + "'");
  }

  @Test
  void rejectsNullSessionId() {
    assertThatThrownBy(() -> ClientInfo.of(null, MLFLOW, "17.0.15", "Linux", "6", "amd64", null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void rejectsAnUnknownSchemeClass() {
    assertThatThrownBy(
            () ->
                new ClientInfo(SESSION, "s", "k", "v", 2, "17.0.0", "os", "linux", "s3://bucket", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'s3://bucket'");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
    "Linux, amd64, x86_64", "Linux, aarch64, aarch64", "Linux, x86, i686", "Linux, riscv64, riscv64",
    "Mac OS X, x86_64, x86_64", "Mac OS X, aarch64, arm64",
    "Windows 11, amd64, AMD64", "Windows 11, aarch64, ARM64", "Windows 10, x86, x86"
  })
  void theArchitectureIsNamedAsPythonNamesIt(String osName, String javaArch, String python) {
    assertThat(ClientInfo.machine(osName, javaArch)).isEqualTo(python);
  }

  @Test
  void theUserAgentNamesBeaconTheSdkAndJava() {
    ClientInfo info = ClientInfo.of(SESSION, MLFLOW, "17.0.15", "Linux", "6.1", "amd64", null);
    assertThat(info.userAgent()).isEqualTo("beacon/" + Beacon.VERSION + " (mlflow-java 3.7.0; Java 17.0.15)");
    assertThat(Beacon.VERSION).as("the build's version, filtered in").matches("\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void anInstallationIdMustBeAUuid() {
    ClientInfo info = ClientInfo.of(SESSION, MLFLOW, "17.0.15", "Linux", "6.1", "amd64", null);
    assertThat(info.withInstallationId("0dc6df31-3c94-4214-84fc-4ee8ce874c4c").installationId())
        .isEqualTo("0dc6df31-3c94-4214-84fc-4ee8ce874c4c");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> info.withInstallationId("/home/alice"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(
      value = {
        "45e2751243e84c7e87aca6ac25d75a0d, 45e2751243e84c7e87aca6ac25d75a0d",
        "45E2751243E84C7E87ACA6AC25D75A0D, 45e2751243e84c7e87aca6ac25d75a0d",
        "45e27512-43e8-4c7e-87ac-a6ac25d75a0d, 45e2751243e84c7e87aca6ac25d75a0d",
        "' 45e2751243e84c7e87aca6ac25d75a0d ', 45e2751243e84c7e87aca6ac25d75a0d",
        "45e2751243e84c7e87aca6ac25d75a0, NULL", "xyz, NULL", "'', NULL",
        "45e2751243e84c7e87aca6ac25d75a0g, NULL"
      },
      nullValues = "NULL")
  void aSessionIdFromTheParentIsNormalisedOrRefused(String value, String expected) {
    assertThat(Ids.sessionIdFrom(value)).isEqualTo(expected);
  }
}
