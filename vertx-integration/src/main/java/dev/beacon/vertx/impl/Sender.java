package dev.beacon.vertx.impl;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Sends one ingestion request body and classifies the answer, once, into an {@link Outcome}: the
 * send loop acts on outcomes and never sees HTTP. The future never fails.
 */
public interface Sender {

  /** One attempt with {@code body} (the same buffer on every attempt of a batch). */
  Future<Outcome> send(Buffer body);

  /** Cancels every attempt in flight (close, deadline): its connection is closed, its outcome a network failure. */
  void cancelAll();

  /** Releases the sender's connections. Idempotent. */
  void close();

  /** What one attempt came to. */
  sealed interface Outcome {
    /** 2xx: the batch was accepted. */
    record Sent(int status) implements Outcome {}

    /**
     * Worth retrying: a network failure or timeout ({@code status} -1), or 408, 429, 500, 502, 503,
     * 504.
     *
     * @param retryAfterMs the endpoint's {@code Retry-After} (429, 503), capped; -1 when none
     * @param responseLost whether the request may have reached the server (a timeout or a reset,
     *     not a refused connection and not a status): a retry may then deliver it twice
     * @param why a short description, for logs
     */
    record Retryable(int status, long retryAfterMs, boolean responseLost, String why) implements Outcome {}

    /**
     * Refused: the batch is dropped. {@code terminal} for 400, 401, 403, 404 (telemetry then stops
     * for good); any other status, a redirect included (never followed), drops only this batch.
     */
    record Refused(int status, boolean terminal) implements Outcome {}

    /** Debug mode: the body was printed, not sent. */
    record Printed() implements Outcome {}
  }
}
