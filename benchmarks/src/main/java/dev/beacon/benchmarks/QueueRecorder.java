package dev.beacon.benchmarks;

import dev.beacon.TelemetryEvent;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The floor of a thread hand-off: {@code ArrayBlockingQueue.offer} of a freshly stamped {@link
 * TelemetryEvent} (the same object Beacon builds), drained by one consumer thread that counts. A
 * full queue drops (offer returns false) and is counted.
 */
final class QueueRecorder implements Recorder {

  private final ArrayBlockingQueue<TelemetryEvent> queue;
  private final Thread consumer;
  private volatile boolean running = true;
  private volatile long taken;
  private long dropped; // written by the one recording thread; read after a happens-before edge

  QueueRecorder(int capacity) {
    queue = new ArrayBlockingQueue<>(capacity);
    consumer = new Thread(this::consume, "abq-consumer");
    consumer.setDaemon(true);
    consumer.start();
  }

  private void consume() {
    long n = 0;
    try {
      while (running) {
        if (queue.poll(100, TimeUnit.MILLISECONDS) != null) {
          taken = ++n;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void record() {
    if (!queue.offer(TelemetryEvent.of(Workload.EVENT, Workload.PARAMS))) {
      dropped++;
    }
  }

  @Override
  public Counts settle(long recorded, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (taken + dropped < recorded && System.nanoTime() < deadline) {
      Sync.sleep(1);
    }
    return new Counts(recorded, taken, dropped, taken + dropped >= recorded);
  }

  @Override
  public void close() {
    running = false;
    consumer.interrupt();
  }
}
