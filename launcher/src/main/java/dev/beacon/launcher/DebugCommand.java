package dev.beacon.launcher;

import dev.beacon.ClientInfo;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Ids;
import dev.beacon.Profile;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import dev.beacon.Validation;
import dev.beacon.WireEncoder;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code debug [event ...]}: prints the ingestion request that would carry these events (by
 * default the profile's first event, by name), checked by the profile's privacy guard and encoded
 * as the shipper encodes them. Sends nothing, asks nobody; exit code 0.
 */
final class DebugCommand {

  private DebugCommand() {}

  static int run(List<String> args, Environment env, PrintStream out) {
    Arguments a = Arguments.parse("debug", args, new Arguments.Spec(Arguments.CONF, Arguments.HELP));
    if (a.has("help")) {
      Help.help(out);
      return TelemetryMain.EXIT_OK;
    }
    Conf conf = Conf.read(a.value("conf"));
    Profile profile = conf.profile();
    List<String> events = new ArrayList<>(a.positional());
    if (events.isEmpty() && !profile.catalog().eventNames().isEmpty()) {
      events.add(profile.catalog().eventNames().iterator().next());
    }
    Decision local = env.consent(profile);
    out.println("# " + local.describe() + "; debug mode: nothing is sent");
    List<TelemetryEvent> valid = new ArrayList<>();
    for (String name : events) {
      Validation v = profile.catalog().validate(name, null);
      if (v.accepted()) {
        valid.add(new TelemetryEvent(v.eventName(), Status.SUCCESS, TelemetryEvent.nowEpochNanos(), 0L, null));
      } else {
        out.println("# " + name + ": rejected (" + v.rejection() + "); known: " + profile.catalog().eventNames());
      }
    }
    WireEncoder encoder = new WireEncoder(ClientInfo.current(profile, conf.options().getBackendUri()));
    for (WireEncoder.Payload p : encoder.encode(valid, Ids::newSessionId).payloads()) {
      out.println(new JsonObject(new String(p.body(), StandardCharsets.UTF_8)).encodePrettily());
    }
    return TelemetryMain.EXIT_OK;
  }
}
