package dev.beacon;

import java.util.Map;

/**
 * What the privacy guard made of one event: accepted with its clean params, or rejected with a
 * reason. The counts say how many params were removed or replaced, so the caller can count them.
 *
 * @param accepted whether the event may be sent
 * @param eventName the catalog name when accepted, else {@code null}
 * @param params the clean params, or {@code null} when none are left
 * @param stripped how many params were removed (unknown key, wrong type)
 * @param coerced how many params were replaced by a safe value ({@code "other"}, clamped, trimmed)
 * @param rejection why the event was rejected, or {@code null} when accepted
 */
public record Validation(
    boolean accepted,
    String eventName,
    Map<String, Object> params,
    int stripped,
    int coerced,
    String rejection) {

  static Validation rejected(String reason) {
    return new Validation(false, null, null, 0, 0, reason);
  }
}
