package dev.beacon.benchmarks;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The caller's cost per event when the pipeline keeps up: a burst of {@value #BURST} records on a
 * plain thread (the JMH thread) is the timed invocation; then, untimed (an invocation-level
 * teardown, which JMH keeps out of the score), the peer flushes and the benchmark waits until every
 * event recorded so far is delivered or dropped. So each burst starts with empty queues and an idle
 * consumer, nothing is ever dropped, and the figure is what a delivered event costs the thread that
 * records it, consumer wake-ups included (they happen during the burst, on the same two cores).
 *
 * <p>Mode {@code avgt}: each invocation is one burst, timed alone (JMH adds up the invocations'
 * own times and leaves the invocation-level teardown out); {@code @OperationsPerInvocation}
 * divides by {@value #BURST}, so the score is ns per event, averaged over the bursts of a 1 s
 * iteration (each burst followed by its settle, so some tens to hundreds of bursts). Every peer
 * that queues has the same bound, {@value #CAPACITY} (Beacon's default capacity), ten bursts'
 * worth.
 *
 * <p>Lost events ({@code lost}: dropped, or not settled within 30 s) are counted per iteration as a
 * JMH auxiliary counter, printed at the end of every iteration ({@code [iteration] ... lost=0}),
 * and any loss fails the iteration: a figure that discarded work is not a figure of this regime.
 *
 * <p>Peers ({@link Peer}): {@code beacon_client} (the standalone {@code TelemetryClient}), {@code
 * beacon} (a {@code Telemetry} handle in the host's Vertx, recording from a non-Vert.x thread),
 * {@code otel_otlp} (OpenTelemetry logs, OTLP/HTTP to the same sink), {@code otel} (OpenTelemetry
 * logs with an exporter that counts and discards), {@code abq} ({@code ArrayBlockingQueue.offer}
 * to one consumer thread), {@code empty} (the loop and the timer alone).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class BurstCost {

  /** Events per burst (one invocation). */
  public static final int BURST = 1_000;
  /** The bound every queueing peer gets: Beacon's default capacity. */
  public static final int CAPACITY = 10_000;

  /** The peer under test, its Vert.x and its sink. */
  @State(Scope.Benchmark)
  public static class PeerState {
    @Param({"empty", "beacon_client", "beacon", "otel_otlp", "otel", "abq"})
    public String peer;

    Vertx vertx;
    IngestSink sink;
    Recorder recorder;
    long total; // records made so far in this trial
    Recorder.Counts trial = Recorder.Counts.ZERO;

    @Setup(Level.Trial)
    public void start() {
      vertx = Vertx.vertx();
      sink = IngestSink.start(vertx);
      try {
        recorder = Peer.named(peer).start(vertx, vertx.getOrCreateContext(), sink, CAPACITY);
      } catch (RuntimeException e) {
        sink.close(); // a failed setup gets no trial teardown: no thread of ours may keep the fork alive
        Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(10));
        throw e;
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      System.out.printf(
          "%n[trial] peer=%s recorded=%d delivered=%d dropped=%d settled=%s sink: requests=%d bodyBytes=%d%n",
          peer, trial.recorded(), trial.delivered(), trial.dropped(), trial.settled(), sink.requests.sum(),
          sink.bodyBytes.sum());
      if (recorder instanceof BeaconRecorder b) {
        System.out.println("[trial] beacon " + BeaconRecorder.describe(b.stats(Duration.ofSeconds(30))));
      } else if (recorder instanceof ClientRecorder c) {
        dev.beacon.Stats s = c.stats(Duration.ofSeconds(30));
        System.out.println("[trial] beacon_client " + (s == null ? "no stats" : BeaconRecorder.describe(s)));
      }
      recorder.close();
      sink.close();
      Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(10));
    }
  }

  /** Per-iteration delivery, as JMH auxiliary counters (totals per iteration). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Delivery {
    /** Events recorded in this iteration. */
    public long recorded;
    /** Events delivered in this iteration (acknowledged by the sink, exported, taken). */
    public long delivered;
    /** Events dropped or not settled in this iteration: must be 0. */
    public long lost;

    @Setup(Level.Iteration)
    public void reset() {
      recorded = 0;
      delivered = 0;
      lost = 0;
    }

    /** Untimed: flush and wait until everything recorded so far is delivered or dropped. */
    @TearDown(Level.Invocation)
    public void settle(PeerState p) {
      Recorder.Counts now = p.recorder.settle(p.total, Duration.ofSeconds(30));
      Recorder.Counts delta = now.minus(p.trial);
      delivered += delta.delivered();
      lost += delta.dropped() + (now.settled() ? 0 : p.total - now.delivered() - now.dropped());
      p.trial = now;
    }

    @TearDown(Level.Iteration)
    public void check(PeerState p) {
      System.out.printf(" [iteration] peer=%s recorded=%d delivered=%d lost=%d -> ", p.peer, recorded, delivered, lost);
      if (lost != 0) {
        throw new IllegalStateException(p.peer + " lost " + lost + " of " + recorded + " events in this iteration");
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(BURST)
  public void burst(PeerState p, Delivery d) {
    Recorder r = p.recorder;
    for (int i = 0; i < BURST; i++) {
      r.record();
    }
    p.total += BURST;
    d.recorded += BURST;
  }
}
