package dev.beacon.collector.store;

import java.time.Instant;

/**
 * One change of a profile's config rules, kept for good.
 *
 * @param at when the change was made
 * @param profile the profile's name
 * @param action what was done ({@code put})
 * @param before the rules document before the change (JSON), or {@code null} for the first
 * @param after the rules document after the change (JSON)
 */
public record AuditEntry(Instant at, String profile, String action, String before, String after) {}
