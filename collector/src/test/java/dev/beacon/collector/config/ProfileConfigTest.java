package dev.beacon.collector.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.api.TestHttp;
import org.junit.jupiter.api.Test;

class ProfileConfigTest {

  private static ConfigRules rollout(int percent) throws RulesException {
    return ConfigRules.parse("{\"default\": {\"rollout_percentage\": " + percent + "}}", null);
  }

  @Test
  void startsWithTheDefaultAtVersionZero() {
    ProfileConfig pc = new ProfileConfig(TestHttp.MLFLOW);
    assertThat(pc.state()).isEqualTo(new ProfileConfig.State(ConfigRules.DEFAULT, 0));
    assertThat(pc.state().saved()).isFalse();
  }

  @Test
  void onlyANewerVersionReplacesTheLiveRules() throws Exception {
    ProfileConfig pc = new ProfileConfig(TestHttp.MLFLOW);
    assertThat(pc.offer(rollout(50), 2)).isTrue();
    // a read that completes late, with an older version, never brings older rules back
    assertThat(pc.offer(rollout(10), 1)).isFalse();
    assertThat(pc.offer(rollout(10), 2)).isFalse();
    assertThat(pc.state()).isEqualTo(new ProfileConfig.State(rollout(50), 2));
    assertThat(pc.offer(rollout(0), 5)).isTrue();
    assertThat(pc.state().version()).isEqualTo(5);
    assertThat(pc.state().rules()).isEqualTo(rollout(0));
  }

  @Test
  void concurrentOffersEndOnTheNewestVersion() throws Exception {
    ProfileConfig pc = new ProfileConfig(TestHttp.MLFLOW);
    ConfigRules[] rules = new ConfigRules[101];
    for (int i = 0; i <= 100; i++) {
      rules[i] = rollout(i);
    }
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      int offset = t;
      threads[t] = new Thread(() -> {
        for (int v = 1 + offset; v <= 100; v += threads.length) {
          pc.offer(rules[v], v);
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join(10_000);
    }
    assertThat(pc.state()).isEqualTo(new ProfileConfig.State(rules[100], 100));
  }

  @Test
  void theEtagNamesTheVersionAndTheRules() throws Exception {
    assertThat(AdminRoutes.etag(ConfigRules.DEFAULT, 0)).startsWith("\"0-").endsWith("\"").hasSize(2 + 2 + 24);
    assertThat(AdminRoutes.etag(rollout(50), 3)).startsWith("\"3-");
    // the same rules under another version (saved again, or by another database) is another ETag
    assertThat(AdminRoutes.etag(rollout(50), 3)).isNotEqualTo(AdminRoutes.etag(rollout(50), 4));
    assertThat(AdminRoutes.etag(rollout(50), 3)).isNotEqualTo(AdminRoutes.etag(rollout(51), 3));
    assertThat(AdminRoutes.etag(rollout(50), 3)).isEqualTo(AdminRoutes.etag(rollout(50), 3));
  }
}
