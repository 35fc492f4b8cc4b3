package dev.beacon.examples.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.beacon.CloseReport;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Profiles;
import dev.beacon.Stats;
import dev.beacon.examples.LocalCollector;
import dev.beacon.examples.WebApp;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Many nodes, one shipper, on a clustered event bus (Hazelcast), all in this JVM and on loopback
 * only: two web-app nodes that record (they deploy {@link WebApp}, no shipper) and one shipper node
 * (it deploys {@link TelemetryVerticle}, no app). Every event from both apps reaches the local
 * collector through the one shipper. Then a second shipper joins, the bus shares the events
 * between the two, and the second one is closed: the apps keep sending, through the first.
 *
 * <p>Run: {@code mvn -B -ntp -q -pl examples -am package exec:java -DskipTests
 * -Dexec.mainClass=dev.beacon.examples.cluster.ClusterDemo}
 */
public final class ClusterDemo {

  private static final String ADDRESS = TelemetryOptions.DEFAULT_ADDRESS;
  /** Per app node and wave: 5 × /runs, 2 × /experiments (one fails), 1 × /evaluate. */
  private static final int EVENTS_PER_APP = 8;

  private ClusterDemo() {}

  /** One clustered Vertx and its cluster manager. */
  private record Node(String name, Vertx vertx, HazelcastClusterManager cluster) {}

  public static void main(String[] args) throws Exception {
    Decision consent = Environment.system().consent(Profiles.mlflow("3.7.0"));
    if (!consent.enabled()) {
      System.out.println("Telemetry is " + consent.describe() + " in this environment, so the demo sends nothing.");
      return;
    }
    // Hazelcast reports joins, partitions and lost members at INFO and WARNING; a real deployment
    // routes that to its logs. The demo keeps its own output readable.
    System.setProperty("hazelcast.logging.type", "none");

    Vertx local = Vertx.vertx();
    List<Node> nodes = new ArrayList<>();
    String clusterName = "beacon-demo-" + UUID.randomUUID();
    int basePort = freePorts(8);
    try {
      LocalCollector collector = await(LocalCollector.start(local));
      HttpClient http = local.createHttpClient();
      System.out.println("collector listening on " + collector.baseUrl());
      TelemetryOptions shipperOptions =
          new TelemetryOptions()
              .setSdkVersion("3.7.0")
              .setConfigUrl(collector.configUrl())
              .setAllowInsecureLoopback(true)
              .setBatchIntervalMs(200);

      // 1. Three nodes: two apps that only record, one shipper that only ships.
      long t0 = System.nanoTime();
      Node web1 = start("web-1", clusterName, basePort, nodes);
      Node web2 = start("web-2", clusterName, basePort, nodes);
      Node shipperNode = start("shipper-1", clusterName, basePort, nodes);
      System.out.printf("3 nodes joined cluster %s on 127.0.0.1 in %d ms%n", clusterName, (System.nanoTime() - t0) / 1_000_000);
      TelemetryVerticle shipper1 = new TelemetryVerticle(shipperOptions);
      await(shipperNode.vertx().deployVerticle(shipper1));
      WebApp app1 = new WebApp();
      WebApp app2 = new WebApp();
      await(web1.vertx().deployVerticle(app1));
      await(web2.vertx().deployVerticle(app2));
      waitForShippers(List.of(web1, web2), 1);

      traffic(http, app1, app2);
      long expected = 2 * EVENTS_PER_APP;
      waitFor(local, () -> collector.records() >= expected);
      System.out.println();
      System.out.println("wave 1, one shipper: " + collector.records() + " records from two app nodes in "
          + requests(collector.requests()) + ", all from shipper-1 (session " + sessionOf(collector) + ")");

      // 2. A second shipper joins; point-to-point sends are shared (round-robin) between the two.
      Node shipperNode2 = start("shipper-2", clusterName, basePort, nodes);
      TelemetryVerticle shipper2 =
          new TelemetryVerticle(new TelemetryOptions(shipperOptions).setBatchIntervalMs(60_000)); // holds what it takes
      await(shipperNode2.vertx().deployVerticle(shipper2));
      waitForShippers(List.of(web1, web2), 2);
      traffic(http, app1, app2);
      long expected2 = expected + 2 * EVENTS_PER_APP;
      waitFor(local, () -> collector.records() + pending(shipper2) >= expected2);
      Stats held = await(shipper2.stats());
      System.out.println();
      // Round-robin is per bus message, and each app's Telemetry hands off what it gathered as one
      // message: the split is by hand-off, not by event.
      System.out.println("wave 2, two shippers: shipper-1 sent " + (collector.records() - expected) + ", shipper-2 took "
          + held.recorded() + " and holds " + held.pending() + " (its batch interval is a minute)");

      // 3. Close shipper-2's node. A clean stop sends what it holds within its close deadline; a
      // crash (kill -9, power loss) would lose those events: at most what it held.
      CloseReport report = await(shipper2.close());
      await(shipperNode2.vertx().close());
      nodes.remove(shipperNode2);
      System.out.println("closed shipper-2: it sent the " + report.sentAtClose() + " it held on the way out (a crash would have lost them)");
      waitForShippers(List.of(web1, web2), 1);
      traffic(http, app1, app2);
      long expected3 = expected2 + 2 * EVENTS_PER_APP;
      // The apps' buses learn that shipper-2 left from Hazelcast's events, a few milliseconds after
      // the cluster does: a send routed to it in between would be lost. Report what arrived.
      waitFor(local, () -> collector.records() >= expected3);
      System.out.println();
      System.out.println("wave 3, after the failover: the apps kept sending, through shipper-1");
      System.out.println();
      System.out.println("the collector received " + collector.records() + " of " + expected3 + " records in "
          + requests(collector.requests()) + ":");
      collector.counts().forEach((k, v) -> System.out.printf("  %-28s %d%n", k, v));
      System.out.println("shipper-1: " + await(shipper1.stats()));
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        await(nodes.get(i).vertx().close());
      }
      await(local.close());
    }
  }

  /** Starts a clustered node: Hazelcast over TCP-IP on 127.0.0.1 only, the event bus on 127.0.0.1. */
  private static Node start(String name, String clusterName, int basePort, List<Node> nodes) throws Exception {
    HazelcastClusterManager cluster = new HazelcastClusterManager(loopbackConfig(clusterName, basePort, 8));
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1");
    Vertx vertx = await(Vertx.builder().with(options).withClusterManager(cluster).buildClustered());
    Node node = new Node(name, vertx, cluster);
    nodes.add(node);
    return node;
  }

  /**
   * Vert.x's Hazelcast config (its maps, from default-cluster.xml) with discovery on loopback only:
   * TCP-IP join among {@code 127.0.0.1:basePort..basePort+count-1}, no multicast, no auto-detection.
   */
  static Config loopbackConfig(String clusterName, int basePort, int count) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.logging.type", "none");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(basePort).setPortAutoIncrement(true).setPortCount(count);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    for (int i = 0; i < count; i++) {
      join.getTcpIpConfig().addMember("127.0.0.1:" + (basePort + i));
    }
    return config;
  }

  /** The same requests on both apps: {@value #EVENTS_PER_APP} events each. */
  private static void traffic(HttpClient http, WebApp app1, WebApp app2) throws Exception {
    List<Future<?>> calls = new ArrayList<>();
    for (WebApp app : List.of(app1, app2)) {
      for (int i = 0; i < 5; i++) {
        calls.add(get(http, app.port(), "/runs"));
      }
      calls.add(get(http, app.port(), "/experiments?name=churn"));
      calls.add(get(http, app.port(), "/experiments"));
      calls.add(get(http, app.port(), "/evaluate"));
    }
    await(Future.all(calls));
  }

  private static Future<?> get(HttpClient http, int port, String uri) {
    return http.request(HttpMethod.GET, port, "127.0.0.1", uri).compose(req -> req.send().compose(r -> r.body()));
  }

  /** Waits until every app node's cluster view has {@code n} shippers on the address. */
  private static void waitForShippers(List<Node> apps, int n) throws Exception {
    for (Node app : apps) {
      waitFor(app.vertx(), () -> {
        Promise<List<RegistrationInfo>> p = Promise.promise();
        app.cluster().getRegistrations(ADDRESS, p);
        try {
          List<RegistrationInfo> shippers = p.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
          return shippers.stream().filter(r -> !r.localOnly()).count() == n;
        } catch (Exception e) {
          return false;
        }
      });
    }
  }

  private static long pending(TelemetryVerticle shipper) {
    try {
      return await(shipper.stats()).pending();
    } catch (Exception e) {
      return 0;
    }
  }

  private static String requests(long n) {
    return n + (n == 1 ? " request" : " requests");
  }

  private static String sessionOf(LocalCollector collector) {
    return collector.sample() == null ? "none" : collector.sample().getJsonObject("data").getString("session_id");
  }

  /** Polls {@code condition} off the event loop every 50 ms, for at most 30 s. */
  private static void waitFor(Vertx vertx, BooleanSupplier condition) throws Exception {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    vertx.setPeriodic(
        50,
        id ->
            vertx.executeBlocking(condition::getAsBoolean, false)
                .onSuccess(
                    ok -> {
                      if (ok) {
                        vertx.cancelTimer(id);
                        done.tryComplete();
                      } else if (System.nanoTime() > deadline) {
                        vertx.cancelTimer(id);
                        done.tryFail("gave up waiting after 30 s");
                      }
                    }));
    await(done.future());
  }

  /** A base port below the ephemeral range with {@code count} free ports from it. */
  private static int freePorts(int count) {
    outer:
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      for (int p = base; p < base + count; p++) {
        try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException taken) {
          continue outer;
        }
      }
      return base;
    }
    throw new IllegalStateException("no " + count + " free ports in a row on 127.0.0.1");
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
