package dev.beacon.benchmarks;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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
 * What recording one event costs the caller's thread, per peer ({@link Peer}).
 *
 * <ul>
 *   <li>{@code plainThread}: the JMH thread records, one event per operation.
 *   <li>{@code eventLoop}: JMH threads are not event loops, so each invocation runs {@value
 *       #PER_TASK} records inside one task on a Vert.x event-loop context ({@code
 *       context.runOnContext}) and waits for it on a {@code CompletableFuture};
 *       {@code @OperationsPerInvocation} divides by {@value #PER_TASK}. The hop (about 10-20 us) is
 *       in every peer's figure, a few ns per record; the {@code empty} peer shows it.
 * </ul>
 *
 * <p>Each iteration is settled in its teardown (outside the measured window): the benchmark waits
 * until every event recorded so far is delivered or dropped, and reports both per iteration as
 * auxiliary counters ({@code recorded}, {@code delivered}, {@code dropped}), so that no figure is
 * flattered by discarded work. Every peer recording into a queue gets the same bound, {@value
 * #CAPACITY} events.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class CallerCost {

  /** Records per event-loop task. */
  public static final int PER_TASK = 10_000;
  /** The bound every queueing peer gets. */
  public static final int CAPACITY = 1_000_000;

  /** The peer under test and its Vert.x. */
  @State(Scope.Benchmark)
  public static class PeerState {
    @Param({"empty", "beacon", "beacon_disabled", "otel", "abq", "bus"})
    public String peer;

    Vertx vertx;
    Context home;
    IngestSink sink;
    Recorder recorder;
    Recorder.Counts trial = Recorder.Counts.ZERO;

    @Setup(Level.Trial)
    public void start() {
      vertx = Vertx.vertx();
      home = vertx.getOrCreateContext();
      sink = IngestSink.start(vertx);
      try {
        recorder = Peer.named(peer).start(vertx, home, sink, CAPACITY);
      } catch (RuntimeException e) {
        sink.close(); // a failed setup gets no trial teardown: no thread of ours may keep the fork alive
        Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(10));
        throw e;
      }
    }

    /** Runs {@value #PER_TASK} records in one task on the home event loop, and waits for it. */
    void recordOnLoop() {
      CompletableFuture<Void> done = new CompletableFuture<>();
      Recorder r = recorder;
      home.runOnContext(
          v -> {
            for (int i = 0; i < PER_TASK; i++) {
              r.record();
            }
            done.complete(null);
          });
      done.join();
    }

    @TearDown(Level.Trial)
    public void stop() {
      System.out.printf(
          "%n[trial] peer=%s recorded=%d delivered=%d dropped=%d (%.2f%%) settled=%s sink: requests=%d bodyBytes=%d%n",
          peer, trial.recorded(), trial.delivered(), trial.dropped(),
          trial.recorded() == 0 ? 0.0 : 100.0 * trial.dropped() / trial.recorded(),
          trial.settled(), sink.requests.sum(), sink.bodyBytes.sum());
      if (recorder instanceof BeaconRecorder b && b.telemetry.isEnabled()) {
        System.out.println("[trial] beacon " + BeaconRecorder.describe(b.stats(Duration.ofSeconds(30))));
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
    /** Of those (and any backlog), events delivered once the iteration settled. */
    public long delivered;
    /** Events dropped, counted the same way. */
    public long dropped;

    private long total;

    @Setup(Level.Iteration)
    public void reset() {
      recorded = 0;
      delivered = 0;
      dropped = 0;
    }

    @TearDown(Level.Iteration)
    public void settle(PeerState p) {
      total += recorded;
      Recorder.Counts now = p.recorder.settle(total, Duration.ofSeconds(60));
      Recorder.Counts delta = now.minus(p.trial);
      delivered = delta.delivered();
      dropped = delta.dropped();
      p.trial = now;
    }
  }

  @Benchmark
  public void plainThread(PeerState p, Delivery d) {
    p.recorder.record();
    d.recorded++;
  }

  @Benchmark
  @OperationsPerInvocation(PER_TASK)
  public void eventLoop(PeerState p, Delivery d) {
    p.recordOnLoop();
    d.recorded += PER_TASK;
  }
}
