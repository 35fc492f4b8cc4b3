package dev.beacon.collector.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Generates realistic stored events, deterministically from a seed: the same seed, profile, range
 * and count give the same events in the same order, on any machine. Benchmarks, the contract test
 * suite and the dashboard's 10-million-event test use it to fill stores.
 *
 * <p>What it models: installations (each with a fixed SDK, version, OS, runtime and backend
 * scheme, drawn from skewed distributions, as real fleets are) that start about 5 sessions each;
 * sessions of about 20 events, several of them interleaved at any time; MLflow's event names with
 * realistic weights; params as MLflow's catalog declares them ({@code create_run}'s list {@code
 * imports}, {@code create_logged_model}'s enum {@code flavor}) plus a flag ({@code log_assessment}'s
 * {@code is_feedback}) and a count ({@code evaluate}'s {@code metrics}) so that every param shape
 * occurs; log-normal durations (about 8% missing, some 0 ms); about 5% failures and 2% unknown.
 * Events come in time order, spread evenly over {@code [from, to)}; {@code receivedAt} is the
 * event time plus up to 2 s. Params are canonical JSON (sorted keys, compact), as the ingestion
 * path stores them.
 *
 * <p>Not thread-safe: one generator per thread.
 */
public final class SyntheticEvents {

  /** MLflow's event names, most frequent first, with relative weights. */
  private static final String[] EVENTS = {
    "start_trace", "log_assessment", "create_run", "import_mlflow", "create_logged_model",
    "create_experiment", "evaluate", "create_registered_model", "create_model_version", "create_prompt"
  };

  private static final int[] EVENT_WEIGHTS = {30, 12, 20, 8, 8, 6, 6, 4, 4, 2};

  private static final String[] VERSIONS = {"3.7.0", "3.6.0", "3.5.1", "3.5.0", "3.4.0", "3.3.2", "2.22.1", "2.21.3"};

  private static final int[] VERSION_WEIGHTS = {35, 25, 12, 8, 8, 5, 4, 3};

  private static final String[] OS = {"linux", "darwin", "win32"};

  private static final int[] OS_WEIGHTS = {60, 30, 10};

  private static final String[][] OPERATING_SYSTEMS = {
    {"Linux-6.1.0-18-amd64-x86_64-with-glibc2.36", "Linux-5.15.0-1057-azure-x86_64-with-glibc2.35", "Linux-6.8.0-1015-aws-aarch64"},
    {"macOS-14.5-arm64-arm-64bit", "macOS-15.1-arm64-arm-64bit", "Darwin-23.6.0-x86_64"},
    {"Windows-10-10.0.19045-SP0", "Windows-11-10.0.22631-SP0"}
  };

  private static final String[] PYTHONS = {"python 3.11.7", "python 3.10.14", "python 3.12.4", "python 3.9.19", "python 3.11.9"};

  private static final int[] PYTHON_WEIGHTS = {30, 25, 25, 10, 10};

  private static final String[] JAVAS = {"java 17.0.15", "java 21.0.7", "java 11.0.27"};

  private static final int[] JAVA_WEIGHTS = {50, 35, 15};

  private static final String[] SCHEMES = {"file", "http", "https", "databricks", "sqlite", "postgresql", "mysql", null};

  private static final int[] SCHEME_WEIGHTS = {30, 15, 15, 15, 10, 6, 4, 5};

  private static final String[] IMPORTS = {
    "smile", "djl", "tribuo", "xgboost4j", "onnxruntime", "deeplearning4j", "spark-mllib", "weka", "tensorflow-java", "h2o-genmodel"
  };

  private static final String[] FLAVORS = {"sklearn", "pytorch", "transformers", "python_function", "xgboost", "langchain", "openai", "other"};

  private static final int[] FLAVOR_WEIGHTS = {25, 20, 15, 10, 10, 8, 7, 5};

  /** About this many sessions are open at once. */
  private static final int OPEN_SESSIONS = 64;

  private final SplittableRandom random;
  private final String profile;
  private final long fromMicros;
  private final long spanMicros;
  private final long count;
  private long produced;
  private final Session[] open = new Session[OPEN_SESSIONS];
  private final List<Installation> recent = new ArrayList<>();

  private SyntheticEvents(long seed, String profile, Instant from, Instant to, long count) {
    this.profile = Objects.requireNonNull(profile, "profile");
    // the profile takes part in the seed: two profiles from one seed must not share keys
    // (hashed, not added: seeds a multiple of SplittableRandom's gamma apart would share a sequence)
    this.random = new SplittableRandom(new SplittableRandom(seed).nextLong() ^ new SplittableRandom(~profile.hashCode()).nextLong());
    if (!to.isAfter(from)) {
      throw new IllegalArgumentException("to must be after from");
    }
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, but was " + count);
    }
    this.fromMicros = micros(from);
    this.spanMicros = micros(to) - fromMicros;
    this.count = count;
  }

  /**
   * A generator of {@code count} events of {@code profile}, evenly spread over {@code [from, to)}.
   *
   * @throws IllegalArgumentException when {@code to} is not after {@code from} or count is negative
   */
  public static SyntheticEvents of(long seed, String profile, Instant from, Instant to, long count) {
    return new SyntheticEvents(seed, profile, from, to, count);
  }

  /** {@code count} events of {@code profile} over the {@code days} days before {@code end}. */
  public static SyntheticEvents overDays(long seed, String profile, Instant end, int days, long count) {
    return of(seed, profile, end.minus(Duration.ofDays(days)), end, count);
  }

  /** Events not yet produced. */
  public long remaining() {
    return count - produced;
  }

  /** Whether events remain. */
  public boolean hasNext() {
    return produced < count;
  }

  /** The next {@code max} events (fewer at the end; none when exhausted). */
  public List<StoredEvent> next(int max) {
    int n = (int) Math.min(max, remaining());
    List<StoredEvent> batch = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      batch.add(next());
    }
    return batch;
  }

  /** All remaining events (for small counts). */
  public List<StoredEvent> all() {
    return next((int) Math.min(Integer.MAX_VALUE, remaining()));
  }

  /**
   * Writes every remaining event to {@code store} in batches of {@code batchSize}, generating the
   * next batch while the previous one is written, and waits for each write (at most {@code
   * timeout} each). Blocks: call it from a main or test thread, never an event loop.
   *
   * @return the events the store inserted (duplicates, if any, not counted)
   * @throws IllegalStateException when a write fails or times out
   */
  public long fill(EventStore store, int batchSize, Duration timeout) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive, but was " + batchSize);
    }
    long inserted = 0;
    io.vertx.core.Future<WriteResult> pending = null;
    while (hasNext() || pending != null) {
      List<StoredEvent> batch = hasNext() ? next(batchSize) : null;
      if (pending != null) {
        inserted += awaitWrite(pending, timeout).inserted();
      }
      pending = batch == null ? null : store.write(batch);
    }
    return inserted;
  }

  private static WriteResult awaitWrite(io.vertx.core.Future<WriteResult> f, Duration timeout) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while filling the store", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("a write failed while filling the store", e);
    }
  }

  /** The next event. */
  public StoredEvent next() {
    if (!hasNext()) {
      throw new java.util.NoSuchElementException("all " + count + " events were produced");
    }
    long step = count == 0 ? 0 : spanMicros / count;
    long t = fromMicros + (long) ((double) spanMicros * produced / count) + (step > 1 ? random.nextLong(step) : 0);
    produced++;
    int slot = random.nextInt(OPEN_SESSIONS);
    Session s = open[slot];
    if (s == null || s.left <= 0) {
      s = newSession();
      open[slot] = s;
    }
    s.left--;
    Installation in = s.installation;
    String event = EVENTS[pick(EVENT_WEIGHTS)];
    String status = statusFor(event);
    Long duration = random.nextInt(100) < 8 ? null : duration(event);
    Instant timestamp = instant(t);
    Instant received = instant(t + random.nextLong(2_000_000));
    return new StoredEvent(
        profile,
        new UUID(random.nextLong(), random.nextLong()),
        received,
        timestamp,
        s.id,
        in.id,
        in.sdk,
        in.version,
        2,
        in.runtime,
        in.os,
        in.operatingSystem,
        in.scheme,
        in.scheme != null && in.scheme.startsWith("http") ? Boolean.valueOf(in.localhost) : null,
        event,
        status,
        duration,
        params(event));
  }

  private Session newSession() {
    Installation in;
    // an installation starts about 5 sessions: reuse a recent one 4 times out of 5
    if (!recent.isEmpty() && random.nextInt(5) != 0) {
      in = recent.get(random.nextInt(recent.size()));
    } else {
      in = newInstallation();
      if (recent.size() < 256) {
        recent.add(in);
      } else {
        recent.set(random.nextInt(recent.size()), in);
      }
    }
    // about 20 events a session: 1 + geometric with mean 19
    int left = 1 + (int) Math.min(400, Math.floor(Math.log(1 - random.nextDouble()) / Math.log(1 - 1 / 20.0)));
    return new Session(hex(), in, left);
  }

  private Installation newInstallation() {
    boolean java = random.nextInt(100) < 20;
    int os = pick(OS_WEIGHTS);
    String[] systems = OPERATING_SYSTEMS[os];
    return new Installation(
        random.nextInt(100) < 97 ? uuid() : null,
        java ? "mlflow-java" : "mlflow",
        VERSIONS[pick(VERSION_WEIGHTS)],
        java ? JAVAS[pick(JAVA_WEIGHTS)] : PYTHONS[pick(PYTHON_WEIGHTS)],
        OS[os],
        systems[random.nextInt(systems.length)],
        SCHEMES[pick(SCHEME_WEIGHTS)],
        random.nextInt(100) < 70);
  }

  private String statusFor(String event) {
    int p = random.nextInt(1000);
    int failures = event.equals("evaluate") || event.equals("create_logged_model") ? 90 : 40;
    return p < failures ? "failure" : p < failures + 20 ? "unknown" : "success";
  }

  private long duration(String event) {
    if (random.nextInt(100) < 2) {
      return 0;
    }
    double mu = switch (event) {
      case "start_trace", "log_assessment" -> 2.5;
      case "evaluate" -> 8.0;
      case "create_logged_model", "create_model_version" -> 6.0;
      default -> 4.5;
    };
    double sigma = 1.2;
    double v = Math.exp(mu + sigma * gaussian());
    return Math.max(0, Math.min(86_400_000L, Math.round(v)));
  }

  private String params(String event) {
    switch (event) {
      case "create_run": {
        if (random.nextInt(10) == 0) {
          return null;
        }
        int n = random.nextInt(20) == 0 ? 0 : 1 + (random.nextInt(3) == 0 ? random.nextInt(3) : 0);
        List<String> chosen = new ArrayList<>();
        while (chosen.size() < n) {
          String lib = IMPORTS[Math.min(IMPORTS.length - 1, (int) Math.floor(-Math.log(1 - random.nextDouble()) * 2.5))];
          if (!chosen.contains(lib)) {
            chosen.add(lib);
          }
        }
        StringBuilder sb = new StringBuilder("{\"imports\":[");
        for (int i = 0; i < chosen.size(); i++) {
          sb.append(i == 0 ? "\"" : ",\"").append(chosen.get(i)).append('"');
        }
        return sb.append("]}").toString();
      }
      case "create_logged_model":
        return "{\"flavor\":\"" + FLAVORS[pick(FLAVOR_WEIGHTS)] + "\"}";
      case "log_assessment":
        return random.nextInt(4) == 0 ? null : "{\"is_feedback\":" + (random.nextInt(3) == 0) + "}";
      case "evaluate":
        return "{\"metrics\":" + random.nextInt(6) + "}";
      default:
        return null;
    }
  }

  private int pick(int[] weights) {
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    int r = random.nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  private double gaussian() {
    // Box-Muller from two uniforms: SplittableRandom has no nextGaussian on Java 17
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private String hex() {
    return String.format("%016x%016x", random.nextLong(), random.nextLong());
  }

  private String uuid() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private static long micros(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  private record Installation(
      String id, String sdk, String version, String runtime, String os, String operatingSystem, String scheme, boolean localhost) {}

  private static final class Session {
    final String id;
    final Installation installation;
    int left;

    Session(String id, Installation installation, int left) {
      this.id = id;
      this.installation = installation;
      this.left = left;
    }
  }
}
