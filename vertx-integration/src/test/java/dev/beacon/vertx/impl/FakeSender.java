package dev.beacon.vertx.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Sender} whose every attempt waits for the test to answer it with a chosen {@link
 * Sender.Outcome}. It keeps each body as sent, to be read back as records with Jackson. {@link
 * #cancelAll} ends what is unanswered as a network failure, as the contract says.
 */
final class FakeSender implements Sender {

  static final ObjectMapper JSON = new ObjectMapper();

  /** One attempt: the body as sent, and its answer to give. */
  record Attempt(String body, Promise<Outcome> answer) {
    /** The {@code data} of each record in the body, in order. */
    List<JsonNode> records() {
      try {
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(body).get("records").forEach(r -> out.add(r.get("data")));
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The {@code partition-key} of each record. */
    List<String> partitionKeys() {
      try {
        List<String> out = new ArrayList<>();
        JSON.readTree(body).get("records").forEach(r -> out.add(r.get("partition-key").asText()));
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The {@code duration_ms} of each record: the tests number their events with it. */
    List<Long> numbers() {
      return records().stream().map(d -> d.get("duration_ms").asLong()).toList();
    }
  }

  final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final List<Map.Entry<Integer, CompletableFuture<Void>>> waiters = new CopyOnWriteArrayList<>();
  /** When set, every attempt is answered with it before {@code send} returns (as {@link DebugSender} does). */
  Outcome answerAtOnce;
  int cancelAllCalls;
  int closeCalls;

  @Override
  public Future<Outcome> send(Buffer body) {
    Promise<Outcome> answer = Promise.promise();
    attempts.add(new Attempt(body.toString(StandardCharsets.UTF_8), answer));
    waiters.forEach(w -> {
      if (attempts.size() >= w.getKey()) {
        w.getValue().complete(null);
      }
    });
    if (answerAtOnce != null) {
      answer.complete(answerAtOnce);
    }
    return answer.future();
  }

  @Override
  public void cancelAll() {
    cancelAllCalls++;
    for (Attempt a : attempts) {
      a.answer().tryComplete(new Outcome.Retryable(-1, -1, true, "cancelled"));
    }
  }

  @Override
  public void close() {
    closeCalls++;
  }

  /** Completes once {@code n} attempts were made (from any thread). */
  CompletableFuture<Void> reaches(int n) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    waiters.add(Map.entry(n, f));
    if (attempts.size() >= n) {
      f.complete(null);
    }
    return f;
  }

  /** How many attempts were made. */
  int count() {
    return attempts.size();
  }

  /** The last attempt. */
  Attempt last() {
    if (attempts.isEmpty()) {
      throw new AssertionError("nothing was sent");
    }
    return attempts.get(attempts.size() - 1);
  }

  /** Attempts not answered yet. */
  long unanswered() {
    return attempts.stream().filter(a -> !a.answer().future().isComplete()).count();
  }

  /** Answers the one attempt on the wire (it must be exactly one: the loop sends one at a time). */
  void answer(Outcome outcome) {
    List<Attempt> open = attempts.stream().filter(a -> !a.answer().future().isComplete()).toList();
    if (open.size() != 1) {
      throw new AssertionError("expected one attempt on the wire, found " + open.size());
    }
    open.get(0).answer().complete(outcome);
  }

  static Outcome ok() {
    return new Outcome.Sent(200);
  }

  static Outcome status(int status) {
    return new Outcome.Retryable(status, -1, false, "HTTP " + status);
  }

  static Outcome retryAfter(int status, long ms) {
    return new Outcome.Retryable(status, ms, false, "HTTP " + status);
  }

  static Outcome lost() {
    return new Outcome.Retryable(-1, -1, true, "timeout");
  }

  static Outcome refusedConnection() {
    return new Outcome.Retryable(-1, -1, false, "connection refused");
  }
}
