package dev.beacon.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.CollectorOptions;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server's periodic check of the stored config rules: only for a shared store, every configReloadSeconds. */
class ConfigReloadTimerTest {

  private static final String KILL = "{\"versions\": {\"3.7.0\": {\"disable_telemetry\": true}}}";

  private static boolean killed(TestCollector c) throws Exception {
    RawHttp.Response r = RawHttp.get(c.port(), "/mlflow/config/3.7.0.json");
    return TestCollector.json(r).getBoolean("disable_telemetry");
  }

  @Test
  void aSharedStoreIsCheckedEveryConfigReloadSecondsAndAChangeInItIsServed() throws Exception {
    MemoryEventStore store = new MemoryEventStore();
    store.shared = true;
    CollectorOptions options = TestCollector.options().setConfigReloadSeconds(1);
    try (TestCollector c = TestCollector.start(options, Clock.systemUTC(), store)) {
      assertThat(killed(c)).isFalse();
      store.editDirectly("mlflow", KILL);
      // the timer's next check (1 s period) serves it; waited for on the store's read, bounded
      store.versionChecks.get(0).get(10, TimeUnit.SECONDS);
      // the check that read the new version has completed once the following one starts
      store.versionChecks.get(1).get(10, TimeUnit.SECONDS);
      assertThat(killed(c)).isTrue();
    }
  }

  @Test
  void reloadConfigRulesChecksNowWhateverTheStore() throws Exception {
    MemoryEventStore store = new MemoryEventStore();
    try (TestCollector c = TestCollector.start(TestCollector.options(), Clock.systemUTC(), store)) {
      store.editDirectly("mlflow", KILL);
      assertThat(killed(c)).isFalse();
      TestCollector.await(c.server.reloadConfigRules());
      assertThat(killed(c)).isTrue();
      assertThat(store.versionChecks.get(0)).isCompletedWithValue(1);
    }
  }

  @Test
  void theIntervalIsOneSecondToAnHour() {
    assertThat(new CollectorOptions().getConfigReloadSeconds()).isEqualTo(CollectorOptions.DEFAULT_CONFIG_RELOAD_SECONDS)
        .isEqualTo(5);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CollectorOptions().setConfigReloadSeconds(0).validate())
        .hasMessageContaining("configReloadSeconds must be 1 to 3600, but was 0");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CollectorOptions().setConfigReloadSeconds(3601).validate())
        .hasMessageContaining("configReloadSeconds");
  }
}
