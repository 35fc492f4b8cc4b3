package dev.beacon.vertx.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.beacon.Environment;
import dev.beacon.vertx.TelemetryOptions;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Clustered Vert.x nodes in one JVM, on loopback only: Hazelcast joins over TCP-IP on 127.0.0.1
 * (multicast and auto-detection off) from a free port upwards, under a cluster name of its own so
 * that concurrent test runs on the same machine never meet, and the event bus listens on
 * 127.0.0.1. A WireMock ingestion stub on 127.0.0.1, and a log watcher: anything from Vert.x or
 * Beacon at INFO or above fails the test on close. Hazelcast's own logging goes to JUL at WARNING
 * and above, printed in the test output but not judged: a member that vanishes makes the survivors
 * warn about refused connections and failed migrations, which is Hazelcast doing its job.
 */
final class ClusterFixture implements AutoCloseable {

  static final String VERSION = "3.7.0";
  static final String ADDRESS = TelemetryOptions.DEFAULT_ADDRESS;
  static final ObjectMapper JSON = new ObjectMapper();
  static final Environment CLEAN_ENV = Environment.of(Map.of(), Map.of());
  /** Room for every node a test class starts: Hazelcast tries base, base + 1, ... */
  private static final int PORTS = 8;
  /** Held strongly: JUL keeps loggers weakly, and a collected logger would forget its level. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
  /**
   * Warns at every member start that CP data structures (Vert.x's cluster-wide locks and counters)
   * run without Raft: true and irrelevant to Beacon, which uses neither.
   */
  private static final Logger HAZELCAST_CP_LOG = Logger.getLogger("com.hazelcast.cp.CPSubsystem");

  /** One clustered node: its Vertx and its cluster manager. */
  record Node(String name, Vertx vertx, WatchedClusterManager cluster) {}

  /**
   * Hazelcast's cluster manager, plus a record of what it told this node's event bus about each
   * address. The event bus routes point-to-point sends with its own cached view of the consumers
   * (fetched once, then updated from Hazelcast's entry events); after a member dies, that view
   * lags the cluster's by the time those events take, and a send in between goes to the dead node
   * and is lost. Tests that must not lose messages wait until the view caught up.
   */
  static final class WatchedClusterManager extends HazelcastClusterManager {
    /**
     * Consumers per address in the event bus's view. No entry, or 0, when it holds none and will
     * fetch afresh (it never keeps an empty view, nor one it was told was lost).
     */
    private final Map<String, Integer> told = new ConcurrentHashMap<>();

    WatchedClusterManager(Config config) {
      super(config);
    }

    @Override
    public void registrationListener(RegistrationListener bus) {
      super.registrationListener(
          new RegistrationListener() {
            @Override
            public void registrationsUpdated(RegistrationUpdateEvent event) {
              bus.registrationsUpdated(event);
              told.put(event.address(), count(event.registrations()));
            }

            @Override
            public void registrationsLost() {
              bus.registrationsLost();
              told.clear();
            }

            @Override
            public boolean wantsUpdatesFor(String address) {
              return bus.wantsUpdatesFor(address);
            }
          });
    }

    @Override
    public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
      // Only the event bus asks through here (to fill its view); the tests use inCluster().
      super.getRegistrations(
          address,
          (list, failure) -> {
            if (failure == null) {
              told.put(address, count(list));
            }
            promise.complete(list, failure);
          });
    }

    /** The consumers of {@code address} that the cluster (Hazelcast) knows. */
    Future<Integer> inCluster(String address) {
      Promise<List<RegistrationInfo>> p = Promise.promise();
      super.getRegistrations(address, p);
      return p.future().map(WatchedClusterManager::count);
    }

    /** Whether this node's event bus routes {@code address} among {@code n} consumers (or will ask afresh). */
    boolean busSees(String address, int n) {
      Integer view = told.get(address);
      return view == null || view == 0 || view == n;
    }

    private static int count(List<RegistrationInfo> registrations) {
      return (int) registrations.stream().filter(r -> !r.localOnly()).count();
    }
  }

  final String clusterName = "beacon-test-" + UUID.randomUUID();
  final int basePort = freePortRange(PORTS);
  final WireMockServer wm;
  final List<String> logged = new CopyOnWriteArrayList<>();
  private final List<Node> nodes = new CopyOnWriteArrayList<>();
  private final Handler watcher;
  private final Level hazelcastLevelBefore;
  private final Level hazelcastCpLevelBefore;
  private volatile Node killing;

  ClusterFixture() {
    hazelcastLevelBefore = HAZELCAST_LOG.getLevel();
    hazelcastCpLevelBefore = HAZELCAST_CP_LOG.getLevel();
    HAZELCAST_LOG.setLevel(Level.WARNING);
    HAZELCAST_CP_LOG.setLevel(Level.SEVERE);
    watcher =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            String name = r.getLoggerName() == null ? "" : r.getLoggerName();
            boolean ours = name.startsWith("io.vertx") || name.startsWith("dev.beacon");
            // Closing a Vertx whose Hazelcast member was terminated under it: the kill's own artefact.
            boolean killArtefact = killing != null && name.equals("io.vertx.core.impl.VertxImpl")
                && "Failed to leave cluster".equals(r.getMessage());
            if (ours && r.getLevel().intValue() >= Level.INFO.intValue() && !killArtefact) {
              logged.add(r.getLevel() + " " + name + ": " + r.getMessage()
                  + (r.getThrown() == null ? "" : " (" + r.getThrown() + ")"));
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger.getLogger("").addHandler(watcher);
    wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
    wm.start();
    wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(200)));
  }

  /** The Hazelcast config of every node: Vert.x's own maps (default-cluster.xml), loopback only. */
  Config hazelcastConfig() {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
    config.setProperty("hazelcast.socket.bind.any", "false");
    // Small members for a 2-core machine: fewer partitions and threads than a production node.
    config.setProperty("hazelcast.partition.count", "31");
    config.setProperty("hazelcast.operation.thread.count", "2");
    config.setProperty("hazelcast.operation.generic.thread.count", "2");
    config.setProperty("hazelcast.io.thread.count", "1");
    // A member that vanishes without a word is declared dead after this, not after a minute.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    // Members join one at a time here: no need to wait for others to gather first.
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(basePort).setPortAutoIncrement(true).setPortCount(PORTS);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    for (int i = 0; i < PORTS; i++) {
      join.getTcpIpConfig().addMember("127.0.0.1:" + (basePort + i));
    }
    return config;
  }

  /** Starts a clustered node (a few seconds: Hazelcast joins). */
  Node start(String name) {
    long t0 = System.nanoTime();
    WatchedClusterManager cluster = new WatchedClusterManager(hazelcastConfig());
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(4);
    options.getEventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1").setPort(0);
    Vertx vertx = await(Vertx.builder().with(options).withClusterManager(cluster).buildClustered(), 30_000);
    Node node = new Node(name, vertx, cluster);
    System.out.printf("node %s joined %s in %d ms%n", name, clusterName, (System.nanoTime() - t0) / 1_000_000);
    nodes.add(node);
    return node;
  }

  /**
   * Kills a node the way a crash would, as far as one JVM allows: its cluster membership ends
   * abruptly (Hazelcast terminate, no graceful leave, no hand-over of its registrations), then its
   * Vertx goes. Hazelcast's warnings on the survivors about the lost member are expected here.
   */
  void kill(Node node) {
    killing = node;
    try {
      nodes.remove(node);
      node.cluster().getHazelcastInstance().getLifecycleService().terminate();
      await(node.vertx().close().recover(t -> Future.succeededFuture()), 30_000);
    } finally {
      killing = null;
    }
  }

  /** Whether {@code node} is still running (started here, not killed nor closed). */
  boolean alive(Node node) {
    return nodes.contains(node);
  }

  /** How many consumers of {@code address} the cluster has, as {@code node} sees it. */
  static Future<Integer> consumers(Node node, String address) {
    return node.cluster().inCluster(address);
  }

  /**
   * Completes when the cluster has {@code n} consumers of {@code address} and {@code node}'s event
   * bus routes among exactly those.
   */
  static Future<Void> whenRoutedAmong(Node node, String address, int n) {
    return when(node.vertx(), () -> consumers(node, address).map(c -> c == n && node.cluster().busSees(address, n)));
  }

  /** Completes when {@code condition} holds, checked on a Vert.x timer of {@code on} (the test thread never sleeps). */
  static Future<Void> when(Vertx on, Supplier<Future<Boolean>> condition) {
    Promise<Void> done = Promise.promise();
    on.setPeriodic(
        20,
        id ->
            condition
                .get()
                .onSuccess(
                    ok -> {
                      if (ok && done.tryComplete()) {
                        on.cancelTimer(id);
                      }
                    }));
    return done.future();
  }

  static <T> T await(Future<T> future) {
    return await(future, 15_000);
  }

  static <T> T await(Future<T> future, long timeoutMs) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete in " + timeoutMs + " ms", e);
    }
  }

  String ingestionUrl() {
    return "http://127.0.0.1:" + wm.port() + "/log";
  }

  List<LoggedRequest> ingestionRequests() {
    return wm.findAll(postRequestedFor(urlEqualTo("/log")));
  }

  /** Every record received on {@code /log}, in arrival order. */
  List<JsonNode> records() {
    return records(wm);
  }

  static List<JsonNode> records(WireMockServer server) {
    List<JsonNode> out = new ArrayList<>();
    for (LoggedRequest request : server.findAll(postRequestedFor(urlEqualTo("/log")))) {
      try {
        JSON.readTree(request.getBody()).get("records").forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
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

  @Override
  public void close() {
    try {
      // One at a time, newest first: each leaves a cluster that is still whole.
      for (int i = nodes.size() - 1; i >= 0; i--) {
        await(nodes.get(i).vertx().close(), 30_000);
      }
    } finally {
      nodes.clear();
      wm.stop();
      Logger.getLogger("").removeHandler(watcher);
      HAZELCAST_LOG.setLevel(hazelcastLevelBefore);
      HAZELCAST_CP_LOG.setLevel(hazelcastCpLevelBefore);
    }
    assertThat(logged).as("nothing logged by Vert.x or Beacon at INFO or above").isEmpty();
  }
}
