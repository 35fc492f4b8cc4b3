package dev.beacon.examples

import dev.beacon.Profile
import dev.beacon.Status
import dev.beacon.testing.TelemetryCapture
import dev.beacon.vertx.TelemetryClient
import java.io.IOException
import java.time.Duration
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

/**
 * TelemetryClient as Kotlin code calls it: a plain trailing lambda reaches the overload that
 * returns the lambda's value (`track(String, Map, Supplier)`), and what the lambda throws, checked
 * in Java's terms or not, reaches the caller as itself. The product profile of the examples
 * (myapp-profile.json) names the events. Passes under CI=true: the capture hands Beacon an
 * environment of its own.
 */
class TrackFromKotlinTest {

  private lateinit var capture: TelemetryCapture
  private lateinit var client: TelemetryClient

  @BeforeEach
  fun startClient() {
    capture = TelemetryCapture.start()
    client = capture.startClient(capture.options(productProfile(), "1.4.0"))
  }

  @AfterEach
  fun closeCapture() {
    capture.close()
  }

  @Test
  fun `a trailing lambda's value is what track returns`() {
    val n: Int = client.track("export", mapOf("format" to "csv")) { 42 }
    val name: String = client.track("export") { "report.csv" }

    assertThat(n).isEqualTo(42)
    assertThat(name).isEqualTo("report.csv")
    client.close()
    val exports = capture.awaitEvents("export", 2, WAIT)
    assertThat(exports.map { it.status() }).containsOnly(Status.SUCCESS)
    assertThat(exports.map { it.params() }).containsExactlyInAnyOrder(mapOf("format" to "csv"), emptyMap())
  }

  @Test
  fun `a checked exception from the lambda reaches the caller as itself`() {
    val diskFull = IOException("disk full")

    var rows: Int? = null
    val caught: IOException? =
        try {
          rows = client.track("export", mapOf("format" to "json")) { writeRows(diskFull) }
          null
        } catch (e: IOException) {
          e
        }

    assertThat(rows).isNull()
    assertThat(caught).isSameAs(diskFull)
    client.close()
    val export = capture.awaitEvent("export", WAIT)
    assertThat(export.status()).isEqualTo(Status.FAILURE)
    assertThat(export.params()).isEqualTo(mapOf("format" to "json"))
  }

  @Test
  fun `trackVoid runs a block without a result`() {
    var started = false

    client.trackVoid("app_started", null) { started = true }
    val n: Int = client.track("export", mapOf("format" to "csv")) { 7 }

    assertThat(started).isTrue()
    assertThat(n).isEqualTo(7)
    client.close()
    val events = capture.awaitEvents(2, WAIT)
    assertThat(events.map { it.eventName() to it.status() })
        .containsExactlyInAnyOrder("app_started" to Status.SUCCESS, "export" to Status.SUCCESS)
    assertThat(events.map { it.sourceSdk() }).containsOnly("myapp-java")
  }

  private companion object {
    val WAIT: Duration = Duration.ofSeconds(10)

    fun productProfile(): Profile {
      val json = TrackFromKotlinTest::class.java.getResource("/myapp-profile.json")!!.readText()
      return Profile.fromJson(json, "myapp-profile.json")
    }

    /** Stands for real I/O that fails: a checked exception in Java's terms. */
    @Throws(IOException::class)
    fun writeRows(failure: IOException): Int = throw failure
  }
}
