package dev.beacon.collector.api;

import dev.beacon.collector.query.Breakdown;
import dev.beacon.collector.query.Metric;
import dev.beacon.collector.query.Metrics;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.query.Summary;
import dev.beacon.collector.query.Timeseries;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The JSON answers of the query API (docs/collector-api.md shows them): columnar arrays for time
 * series (what uPlot draws), rows for breakdowns, and with {@code compare=previous} the previous
 * period and the change. Change is relative ({@code (now - before) / before}) for counts and
 * durations, 0 when both are 0, null when before is 0 and now is not, or when either is unknown;
 * for {@code failure_rate} it is the absolute difference, as Plausible treats its bounce rate
 * ({@code lib/plausible/stats/compare.ex}). Stateless and thread-safe.
 */
final class Render {

  private final PublicView view;

  Render(PublicView view) {
    this.view = view;
  }

  JsonObject summary(QueryParser.Parsed p, Summary now, Summary before) {
    JsonObject out = head(p);
    out.put("totals", cell(now.totals(), p.metrics()));
    if (before != null) {
      Query prev = p.query().previous();
      out.put("previous", range(prev).put("totals", cell(before.totals(), p.metrics())));
      out.put("change", change(now.totals(), before.totals(), p.metrics()));
    }
    return out;
  }

  JsonObject timeseries(QueryParser.Parsed p, Timeseries raw, Timeseries rawBefore) {
    Timeseries now = view.series(raw);
    JsonObject out = head(p).put("group_by", p.query().dimension());
    out.put("buckets", seconds(now.buckets()));
    out.put("totals", columns(now.totals(), p.metrics()));
    JsonArray series = new JsonArray();
    for (Timeseries.Series s : now.series()) {
      JsonObject o = new JsonObject().put("value", s.value());
      columns(s.points(), p.metrics()).forEach(e -> o.put(e.getKey(), e.getValue()));
      series.add(o);
    }
    out.put("series", series);
    if (rawBefore != null) {
      Query prev = p.query().previous();
      out.put("previous", range(prev)
          .put("buckets", seconds(rawBefore.buckets()))
          .put("totals", columns(rawBefore.totals(), p.metrics())));
    }
    return out;
  }

  JsonObject breakdown(QueryParser.Parsed p, Breakdown raw, Breakdown rawBefore) {
    Breakdown now = view.rows(raw);
    Breakdown before = view.rows(rawBefore);
    JsonObject out = head(p).put("dimension", p.query().dimension());
    Map<String, Metrics> previousRows = new HashMap<>();
    if (before != null) {
      for (Breakdown.Row r : before.rows()) {
        previousRows.put(r.value(), r.metrics());
      }
    }
    JsonArray rows = new JsonArray();
    for (Breakdown.Row r : now.rows()) {
      JsonObject o = new JsonObject().put("value", r.value());
      cell(r.metrics(), p.metrics()).forEach(e -> o.put(e.getKey(), e.getValue()));
      if (before != null) {
        Metrics b = previousRows.get(r.value());
        o.put("previous", b == null ? null : cell(b, p.metrics()));
        o.put("change", change(r.metrics(), b, p.metrics()));
      }
      rows.add(o);
    }
    out.put("rows", rows);
    out.put("total", cell(now.total(), p.metrics()));
    if (before != null) {
      Query prev = p.query().previous();
      out.put("previous", range(prev).put("total", cell(before.total(), p.metrics())));
      out.put("change", change(now.total(), before.total(), p.metrics()));
    }
    return out;
  }

  private static JsonObject head(QueryParser.Parsed p) {
    Query q = p.query();
    JsonObject filters = new JsonObject();
    for (String key : new TreeSet<>(q.filters().keySet())) {
      filters.put(key, new JsonArray(List.copyOf(new TreeSet<>(q.filters().get(key)))));
    }
    JsonArray metrics = new JsonArray();
    p.metrics().forEach(m -> metrics.add(m.key()));
    return new JsonObject()
        .put("profile", q.profile())
        .put("period", p.period())
        .put("from", q.from().toString())
        .put("to", q.to().toString())
        .put("interval", q.interval().key())
        .put("filters", filters)
        .put("metrics", metrics);
  }

  private static JsonObject range(Query q) {
    return new JsonObject().put("from", q.from().toString()).put("to", q.to().toString());
  }

  private JsonObject cell(Metrics m, List<Metric> metrics) {
    JsonObject o = new JsonObject();
    for (Metric k : metrics) {
      o.put(k.key(), view.value(m, k));
    }
    return o;
  }

  private JsonObject columns(List<Metrics> points, List<Metric> metrics) {
    JsonObject o = new JsonObject();
    for (Metric k : metrics) {
      JsonArray column = new JsonArray();
      for (Metrics m : points) {
        column.add(view.value(m, k));
      }
      o.put(k.key(), column);
    }
    return o;
  }

  private JsonObject change(Metrics now, Metrics before, List<Metric> metrics) {
    JsonObject o = new JsonObject();
    for (Metric k : metrics) {
      Number a = view.value(now, k);
      Number b = view.value(before, k);
      Double c;
      if (a == null || b == null) {
        c = null;
      } else if (k == Metric.FAILURE_RATE) {
        c = a.doubleValue() - b.doubleValue();
      } else if (b.doubleValue() == 0) {
        c = a.doubleValue() == 0 ? 0.0 : null;
      } else {
        c = (a.doubleValue() - b.doubleValue()) / b.doubleValue();
      }
      o.put(k.key(), c);
    }
    return o;
  }

  private static JsonArray seconds(List<Instant> buckets) {
    JsonArray a = new JsonArray();
    for (Instant b : buckets) {
      a.add(b.getEpochSecond());
    }
    return a;
  }
}
