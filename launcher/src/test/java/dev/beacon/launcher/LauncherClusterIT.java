package dev.beacon.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.hazelcast.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as the one shipper of a clustered event bus: {@code java -jar
 * beacon-launcher-<version>-fat.jar run -cluster} in a child JVM, and an app node in this JVM that
 * publishes a bus message (JSON, as any Vert.x language would) on {@code beacon.telemetry}. The
 * event reaches the WireMock ingestion through the launcher's shipper. Hazelcast on loopback only
 * (TCP-IP join on 127.0.0.1, a cluster name of its own), the same config for both members: the
 * child reads it from {@code -Dvertx.hazelcast.config}, as the README tells users to.
 */
@Tag("cluster")
class LauncherClusterIT {

  private static final String ADDRESS = "beacon.telemetry";
  private static final int PORTS = 4;
  /** Hazelcast members joining on a busy 2-core machine. */
  private static final long JOIN_SECONDS = 90;
  /** Held strongly: JUL keeps loggers weakly, and a collected logger would forget its level. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

  @TempDir Path dir;

  private Endpoints fx;
  private Vertx app;
  private Level hazelcastLevelBefore;

  @BeforeEach
  void setUp() {
    hazelcastLevelBefore = HAZELCAST_LOG.getLevel();
    HAZELCAST_LOG.setLevel(Level.WARNING);
    fx = new Endpoints();
  }

  @AfterEach
  void tearDown() {
    try {
      if (app != null) {
        await(app.close(), 30);
      }
    } finally {
      fx.close();
      HAZELCAST_LOG.setLevel(hazelcastLevelBefore);
    }
  }

  @Test
  void anEventPublishedOnAnotherNodeIsShippedByTheLaunchersShipper() throws IOException {
    fx.serveConfigPointingAtItself();
    int basePort = freePortRange(PORTS);
    String xml = hazelcastXml("beacon-launcher-test-" + UUID.randomUUID(), basePort);
    Path clusterXml = Files.writeString(dir.resolve("cluster.xml"), xml);
    String conf = "{\"sdkVersion\":\"" + Endpoints.VERSION + "\",\"configUrl\":\"" + fx.configBase()
        + "\",\"allowInsecureLoopback\":true,\"batchIntervalMs\":100}";
    List<String> jvmArgs = new ArrayList<>(Arrays.asList(System.getProperty("beacon.hazelcast.jvmArgs", "").split(" ")));
    jvmArgs.removeIf(String::isBlank);
    jvmArgs.add("-Dvertx.hazelcast.config=" + clusterXml);

    // The app node first, so that the launcher's member joins a cluster that is already there
    // (two members that start at the same moment may each form a cluster of their own).
    HazelcastClusterManager cluster = new HazelcastClusterManager(Config.loadFromString(xml));
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2);
    options.getEventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1").setPort(0);
    app = await(Vertx.builder().with(options).withClusterManager(cluster).buildClustered(), JOIN_SECONDS);

    try (ChildJvm.Running shipper =
        ChildJvm.startJar(dir, Map.of(), jvmArgs, ChildJvm.fatJar(), "run", "-cluster", "-cluster-host", "127.0.0.1", "-conf", conf)) {
      String line = shipper.awaitLine(l -> l.startsWith("beacon shipper running:"), JOIN_SECONDS);
      assertThat(line).isEqualTo("beacon shipper running: enabled (config " + fx.configBase() + "/" + Endpoints.VERSION + ".json)");
      await(registered(cluster, ADDRESS), JOIN_SECONDS);

      app.eventBus().send(ADDRESS, new JsonObject()
          .put("event_name", "create_run")
          .put("params", new JsonObject().put("imports", new JsonArray().add("smile")))
          .put("status", "success")
          .put("duration_ms", 12));

      LoggedRequest request = fx.firstIngestion().orTimeout(30, TimeUnit.SECONDS).join();
      assertThat(request.getHeader("Content-Type")).startsWith("application/json");
      List<JsonNode> records = fx.records();
      assertThat(records).as("%s", shipper).hasSize(1);
      JsonNode data = records.get(0).get("data");
      assertThat(data.get("event_name").asText()).isEqualTo("create_run");
      assertThat(data.get("params").asText()).isEqualTo("{\"imports\":[\"smile\"]}");
      assertThat(data.get("duration_ms").asLong()).isEqualTo(12);
      assertThat(data.get("mlflow_version").asText()).isEqualTo(Endpoints.VERSION);
      assertThat(data.get("source_sdk").asText()).isEqualTo("mlflow-java");

      assertThat(shipper.stop(30)).as("SIGTERM stops the clustered shipper\n%s", shipper).isTrue();
      assertThat(fx.records()).as("nothing more was held, nothing more sent").hasSize(1);
    }
  }

  /** Completes when the cluster knows a consumer of {@code address} on another node, checked on a Vert.x timer. */
  private Future<Void> registered(HazelcastClusterManager cluster, String address) {
    Promise<Void> done = Promise.promise();
    check(cluster, address, done);
    return done.future();
  }

  private void check(HazelcastClusterManager cluster, String address, Promise<Void> done) {
    app.setTimer(50, id -> {
      Promise<List<RegistrationInfo>> registrations = Promise.promise();
      cluster.getRegistrations(address, registrations);
      registrations.future().onComplete(ar -> {
        if (ar.succeeded() && ar.result().stream().anyMatch(r -> !r.localOnly())) {
          done.tryComplete();
        } else {
          check(cluster, address, done);
        }
      });
    });
  }

  /**
   * Vert.x's own maps (as its default-cluster.xml declares them), loopback only, small members for
   * a 2-core machine, no phone home, and no Hazelcast shutdown hook: the launcher's closes Vert.x,
   * which leaves the cluster.
   */
  private static String hazelcastXml(String clusterName, int basePort) {
    StringBuilder members = new StringBuilder();
    for (int p = basePort; p < basePort + PORTS; p++) {
      members.append("        <member>127.0.0.1:").append(p).append("</member>\n");
    }
    return """
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <cluster-name>%s</cluster-name>
          <properties>
            <property name="hazelcast.logging.type">jdk</property>
            <property name="hazelcast.phone.home.enabled">false</property>
            <property name="hazelcast.shutdownhook.enabled">false</property>
            <property name="hazelcast.local.localAddress">127.0.0.1</property>
            <property name="hazelcast.socket.bind.any">false</property>
            <property name="hazelcast.partition.count">31</property>
            <property name="hazelcast.operation.thread.count">2</property>
            <property name="hazelcast.operation.generic.thread.count">2</property>
            <property name="hazelcast.io.thread.count">1</property>
            <property name="hazelcast.wait.seconds.before.join">0</property>
          </properties>
          <network>
            <port auto-increment="true" port-count="%d">%d</port>
            <join>
              <multicast enabled="false"/>
              <auto-detection enabled="false"/>
              <tcp-ip enabled="true">
                <member-list>
        %s      </member-list>
              </tcp-ip>
            </join>
            <interfaces enabled="true">
              <interface>127.0.0.1</interface>
            </interfaces>
          </network>
          <multimap name="__vertx.subs">
            <backup-count>1</backup-count>
            <value-collection-type>SET</value-collection-type>
          </multimap>
          <map name="__vertx.haInfo">
            <backup-count>1</backup-count>
          </map>
          <map name="__vertx.nodeInfo">
            <backup-count>1</backup-count>
          </map>
        </hazelcast>
        """.formatted(clusterName, PORTS, basePort, members);
  }

  private static <T> T await(Future<T> future, long timeoutSeconds) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete in " + timeoutSeconds + " s", e);
    }
  }

  /** A base port with {@code count} free ports above it, below the ephemeral range. */
  private static int freePortRange(int count) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      if (free(base, count)) {
        return base;
      }
    }
    throw new IllegalStateException("no " + count + " free ports in a row on 127.0.0.1");
  }

  private static boolean free(int base, int count) {
    for (int p = base; p < base + count; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
      } catch (IOException taken) {
        return false;
      }
    }
    return true;
  }
}
