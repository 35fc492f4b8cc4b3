package dev.beacon.benchmarks;

import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessorBuilder;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OpenTelemetry's logs SDK, the peer: an {@link SdkLoggerProvider} with a {@link
 * BatchLogRecordProcessor} in front of an exporter. {@link #record()} emits one log record with
 * the event name as body, severity INFO, and the {@code imports} attribute. The exporter is either
 * one that counts and discards ({@link #counting}) or the real OTLP/HTTP exporter wrapped so that
 * the records of each successful export are counted.
 */
final class OtelRecorder implements Recorder {

  /** How long flushes must export nothing more before the missing records count as dropped. */
  private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final SdkLoggerProvider provider;
  private final Logger logger;
  private final Counted exporter;

  /**
   * @param batch the processor's settings: null for OpenTelemetry's defaults (queue 2048, batch
   *     512, delay 1 s, export timeout 30 s)
   */
  OtelRecorder(LogRecordExporter inner, Settings batch) {
    this.exporter = new Counted(inner);
    BatchLogRecordProcessorBuilder b = BatchLogRecordProcessor.builder(exporter);
    if (batch != null) {
      b.setMaxQueueSize(batch.queue).setMaxExportBatchSize(batch.batch).setScheduleDelay(batch.delayMs, TimeUnit.MILLISECONDS);
    }
    this.provider = SdkLoggerProvider.builder().addLogRecordProcessor(b.build()).build();
    this.logger = provider.get("beacon-benchmarks");
  }

  /** Processor settings. */
  record Settings(int queue, int batch, long delayMs) {}

  /** An exporter that counts and discards: the processor's cost with no network. */
  static LogRecordExporter counting() {
    return new LogRecordExporter() {
      @Override
      public CompletableResultCode export(Collection<LogRecordData> logs) {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }

  /** The real OTLP/HTTP logs exporter (protobuf, no compression, JDK HttpClient sender), timeout 10 s. */
  static LogRecordExporter otlp(String url) {
    return OtlpHttpLogRecordExporter.builder().setEndpoint(url).setTimeout(Duration.ofSeconds(10)).build();
  }

  @Override
  public void record() {
    logger
        .logRecordBuilder()
        .setSeverity(Severity.INFO)
        .setBody(Workload.EVENT)
        .setAttribute(Workload.IMPORTS, Workload.IMPORTS_VALUE)
        .emit();
  }

  long exported() {
    return exporter.exported.get();
  }

  long failed() {
    return exporter.failed.get();
  }

  @Override
  public Counts settle(long recorded, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    // forceFlush exports what is queued now; a record emitted before it is either queued (exported
    // by the flush) or was dropped on a full queue (never counted anywhere but here). A forceFlush
    // that races the end of the previous one returns at once without flushing (the processor
    // clears its flush request just after completing it, and on a busy machine its thread can be
    // descheduled in between), so flush again until flushes have exported nothing more for
    // IDLE_NANOS: what is still missing then was dropped.
    long done = exporter.exported.get() + exporter.failed.get();
    long progressAt = System.nanoTime();
    while (done < recorded && System.nanoTime() - progressAt < IDLE_NANOS && System.nanoTime() < deadline) {
      long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      provider.forceFlush().join(left, TimeUnit.MILLISECONDS);
      while (exporter.inFlight.get() > 0 && System.nanoTime() < deadline) {
        Sync.sleep(1);
      }
      long now = exporter.exported.get() + exporter.failed.get();
      if (now != done) {
        done = now;
        progressAt = System.nanoTime();
      } else {
        Sync.sleep(1);
      }
    }
    long exported = exporter.exported.get();
    boolean settled = exporter.inFlight.get() == 0 && System.nanoTime() <= deadline;
    return new Counts(recorded, exported, recorded - exported, settled);
  }

  @Override
  public void close() {
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }

  /** Counts the records of every export that succeeded (and of those that failed). */
  private static final class Counted implements LogRecordExporter {
    final LogRecordExporter inner;
    final AtomicLong exported = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong inFlight = new AtomicLong();

    Counted(LogRecordExporter inner) {
      this.inner = inner;
    }

    @Override
    public CompletableResultCode export(Collection<LogRecordData> logs) {
      int n = logs.size();
      inFlight.addAndGet(n);
      CompletableResultCode result = inner.export(logs);
      result.whenComplete(
          () -> {
            (result.isSuccess() ? exported : failed).addAndGet(n);
            inFlight.addAndGet(-n);
          });
      return result;
    }

    @Override
    public CompletableResultCode flush() {
      return inner.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return inner.shutdown();
    }
  }
}
