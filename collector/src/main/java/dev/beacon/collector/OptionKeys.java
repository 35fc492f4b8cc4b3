package dev.beacon.collector;

import static dev.beacon.collector.CollectorOptions.*;

import java.util.LinkedHashMap;
import java.util.Map;

/** The one-line description of every {@link CollectorOptions} key, in the order {@code --help} prints them. */
final class OptionKeys {

  private OptionKeys() {}

  static Map<String, String> describe() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("host", "interface to listen on (" + DEFAULT_HOST + ")");
    k.put("port", "port; 0 = any free port (" + DEFAULT_PORT + ")");
    k.put("dataDir", "directory of the embedded store (" + DEFAULT_DATA_DIR + ")");
    k.put("store", "null = DuckDB file <dataDir>/" + DUCKDB_FILE + "; a DuckDB file path; or postgresql://user:password@host:port/db"
        + " (several collectors on one database; ?search_path=schema&poolSize=n&sslmode=require)");
    k.put("profiles", "list of built-in names, profile file paths or inline documents (" + DEFAULT_PROFILES + ")");
    k.put("adminToken", "bearer token of the admin API, at least 16 characters; null = admin off");
    k.put("retentionDays", "days raw rows are kept; rollups are kept for good (" + DEFAULT_RETENTION_DAYS + ")");
    k.put("publicUrl", "base URL put in served configs' ingestion_url; null = from the request");
    k.put("trustForwardedHeaders", "behind a reverse proxy: take host and client address from X-Forwarded-* (" + DEFAULT_TRUST_FORWARDED_HEADERS + ")");
    k.put("maxBodyBytes", "largest request body as sent, bytes (" + DEFAULT_MAX_BODY_BYTES + ")");
    k.put("maxDecompressedBytes", "largest body after gzip inflation, bytes (" + DEFAULT_MAX_DECOMPRESSED_BYTES + ")");
    k.put("maxRecordsPerRequest", "records read per request; the rest are rejected (" + DEFAULT_MAX_RECORDS_PER_REQUEST + ")");
    k.put("maxRecordBytes", "largest record, bytes (" + DEFAULT_MAX_RECORD_BYTES + ")");
    k.put("rateLimitPerSecond", "requests per second per source address; 0 = off (" + DEFAULT_RATE_LIMIT_PER_SECOND + ")");
    k.put("rateLimitBurst", "burst per source address, requests (" + DEFAULT_RATE_LIMIT_BURST + ")");
    k.put("writeBufferRecords", "records waiting for a commit before 429 (" + DEFAULT_WRITE_BUFFER_RECORDS + ")");
    k.put("writeBufferMaxWaitMs", "429 while a request handed in this long ago is unanswered, ms; 0 = capacity only (" + DEFAULT_WRITE_BUFFER_MAX_WAIT_MS + ")");
    k.put("commitMaxRecords", "most records in one group commit (" + DEFAULT_COMMIT_MAX_RECORDS + ")");
    k.put("commitDelayMs", "how long a commit waits for more requests, ms; 0 = none (" + DEFAULT_COMMIT_DELAY_MS + ")");
    k.put("bodyTimeoutMs", "longest time to receive a request body, ms (" + DEFAULT_BODY_TIMEOUT_MS + ")");
    k.put("idleTimeoutMs", "longest time a connection stays without a request in progress, ms (" + DEFAULT_IDLE_TIMEOUT_MS + ")");
    k.put("httpInstances", "HTTP server instances (event loops); 0 = one per core (" + DEFAULT_HTTP_INSTANCES + ")");
    k.put("shutdownTimeoutMs", "how long a graceful stop waits for requests in progress, ms (" + DEFAULT_SHUTDOWN_TIMEOUT_MS + ")");
    k.put("configReloadSeconds", "with a shared (PostgreSQL) store, seconds between checks for config rules saved by other "
        + "instances, the fallback of their notifications (" + DEFAULT_CONFIG_RELOAD_SECONDS + ")");
    k.put("publicMode", "dashboard readable without the admin token (" + DEFAULT_PUBLIC_MODE + ")");
    k.put("publicThreshold", "in public mode, least events a value needs to be shown (" + DEFAULT_PUBLIC_THRESHOLD + ")");
    return java.util.Collections.unmodifiableMap(k);
  }
}
