// SqliteTx: the metrics time series and server events.
#include <fmt/format.h>

#include <array>
#include <cmath>

#include "store/sqlite/sqlite_fleet_columns.hpp"
#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

// The figures of a sample, in the column order of metric_points.
std::array<double, 9> figures(const MetricSample& sample) {
  return {sample.cpu_percent,
          sample.load1,
          sample.memory_used_bytes,
          sample.memory_total_bytes,
          sample.swap_used_bytes,
          sample.disk_used_bytes,
          sample.disk_total_bytes,
          sample.net_rx_bytes_per_second,
          sample.net_tx_bytes_per_second};
}

// The start of the bucket of `resolution` seconds holding `at`: whole multiples of the
// resolution since the epoch, rounded down (also before 1970).
TimePoint bucket_start(TimePoint at, std::int64_t resolution) {
  using namespace std::chrono;
  const std::int64_t seconds_since_epoch = floor<seconds>(at).time_since_epoch().count();
  std::int64_t bucket = seconds_since_epoch / resolution;
  if (seconds_since_epoch % resolution != 0 && seconds_since_epoch < 0) {
    --bucket;
  }
  return TimePoint(seconds(bucket * resolution));
}

// The means are printed with 17 significant digits: SQLite's own text form of a REAL has 15,
// which would not read back to the same double.
constexpr std::string_view kPointColumns =
    "bucket_start, samples, "
    "printf('%!.17g', cpu_percent_sum / samples), "
    "printf('%!.17g', load1_sum / samples), "
    "printf('%!.17g', memory_used_bytes_sum / samples), "
    "printf('%!.17g', memory_total_bytes_sum / samples), "
    "printf('%!.17g', swap_used_bytes_sum / samples), "
    "printf('%!.17g', disk_used_bytes_sum / samples), "
    "printf('%!.17g', disk_total_bytes_sum / samples), "
    "printf('%!.17g', net_rx_bytes_per_second_sum / samples), "
    "printf('%!.17g', net_tx_bytes_per_second_sum / samples)";

Result<MetricPoint> read_point(const SqliteStatement& row) {
  RowReader read(row, "metric_points");
  MetricPoint point;
  point.bucket_start = read.time(0);
  point.samples = read.integer(1);
  point.cpu_percent = real_column(read, 2);
  point.load1 = real_column(read, 3);
  point.memory_used_bytes = real_column(read, 4);
  point.memory_total_bytes = real_column(read, 5);
  point.swap_used_bytes = real_column(read, 6);
  point.disk_used_bytes = real_column(read, 7);
  point.disk_total_bytes = real_column(read, 8);
  point.net_rx_bytes_per_second = real_column(read, 9);
  point.net_tx_bytes_per_second = real_column(read, 10);
  return read.finish(std::move(point));
}

Result<ServerEventRecord> read_server_event(const SqliteStatement& row) {
  RowReader read(row, "server_events");
  ServerEventRecord event;
  event.seq = read.integer(0);
  event.server_id = read.text(1);
  event.at = read.time(2);
  event.kind = read.text(3);
  event.details = json_column(read, 4);
  return read.finish(std::move(event));
}

}  // namespace

Result<void> SqliteTx::record_metric_samples(const std::vector<MetricSample>& samples,
                                             const std::vector<std::int64_t>& resolutions) {
  for (const auto resolution : resolutions) {
    if (resolution < 1) {
      return fail(Error::validation("resolutions", "a resolution must be at least 1 second"));
    }
  }
  for (const auto& sample : samples) {
    for (const double figure : figures(sample)) {
      if (!std::isfinite(figure)) {
        return fail(Error::validation(
            "samples",
            fmt::format("a sample of server {} is not a finite number", sample.server_id)));
      }
    }
  }
  // One upsert per sample and resolution. A sample of a server deleted since it was taken is
  // dropped (the WHERE EXISTS) rather than failing the whole batch on the foreign key.
  static constexpr std::string_view kUpsert =
      "INSERT INTO metric_points (server_id, resolution, bucket_start, samples, cpu_percent_sum, "
      "load1_sum, memory_used_bytes_sum, memory_total_bytes_sum, swap_used_bytes_sum, "
      "disk_used_bytes_sum, disk_total_bytes_sum, net_rx_bytes_per_second_sum, "
      "net_tx_bytes_per_second_sum) "
      "SELECT ?1, ?2, ?3, 1, CAST(?4 AS REAL), CAST(?5 AS REAL), CAST(?6 AS REAL), "
      "CAST(?7 AS REAL), CAST(?8 AS REAL), CAST(?9 AS REAL), CAST(?10 AS REAL), "
      "CAST(?11 AS REAL), CAST(?12 AS REAL) "
      "WHERE EXISTS (SELECT 1 FROM servers WHERE id = ?1) "
      "ON CONFLICT (server_id, resolution, bucket_start) DO UPDATE SET "
      "samples = samples + excluded.samples, "
      "cpu_percent_sum = cpu_percent_sum + excluded.cpu_percent_sum, "
      "load1_sum = load1_sum + excluded.load1_sum, "
      "memory_used_bytes_sum = memory_used_bytes_sum + excluded.memory_used_bytes_sum, "
      "memory_total_bytes_sum = memory_total_bytes_sum + excluded.memory_total_bytes_sum, "
      "swap_used_bytes_sum = swap_used_bytes_sum + excluded.swap_used_bytes_sum, "
      "disk_used_bytes_sum = disk_used_bytes_sum + excluded.disk_used_bytes_sum, "
      "disk_total_bytes_sum = disk_total_bytes_sum + excluded.disk_total_bytes_sum, "
      "net_rx_bytes_per_second_sum = "
      "net_rx_bytes_per_second_sum + excluded.net_rx_bytes_per_second_sum, "
      "net_tx_bytes_per_second_sum = "
      "net_tx_bytes_per_second_sum + excluded.net_tx_bytes_per_second_sum";
  for (const auto& sample : samples) {
    std::array<std::string, 9> texts;
    const auto values = figures(sample);
    for (std::size_t i = 0; i < values.size(); ++i) {
      texts[i] = real_text(values[i]);
    }
    for (const auto resolution : resolutions) {
      auto done = run_sql(connection_, kUpsert, sample.server_id, resolution,
                          bucket_start(sample.at, resolution), texts[0], texts[1], texts[2],
                          texts[3], texts[4], texts[5], texts[6], texts[7], texts[8]);
      if (!done) {
        return done;
      }
    }
  }
  return {};
}

Result<std::vector<MetricPoint>> SqliteTx::list_metric_points(std::string_view server_id,
                                                              std::int64_t resolution,
                                                              TimePoint from, TimePoint to) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM metric_points WHERE server_id = ?1 AND resolution = ?2 "
      "AND bucket_start >= ?3 AND bucket_start <= ?4 ORDER BY bucket_start",
      kPointColumns);
  return query_rows(connection_, sql, read_point, server_id, resolution, from, to);
}

Result<std::int64_t> SqliteTx::prune_metric_points(std::int64_t resolution, TimePoint before) {
  return execute(connection_,
                 "DELETE FROM metric_points WHERE resolution = ?1 AND bucket_start < ?2",
                 resolution, before);
}

Result<std::int64_t> SqliteTx::append_server_event(const ServerEventRecord& event) {
  // RETURNING hands back the seq AUTOINCREMENT chose; the row is written on the first step.
  return query_integer(connection_,
                       "INSERT INTO server_events (server_id, at, kind, details) "
                       "VALUES (?1, ?2, ?3, ?4) RETURNING seq",
                       event.server_id, event.at, event.kind, json_text(event.details));
}

Result<std::vector<ServerEventRecord>> SqliteTx::list_server_events(std::string_view server_id,
                                                                    std::int64_t after_seq,
                                                                    std::int64_t limit) {
  if (auto checked = check_limit(limit); !checked) {
    return fail(std::move(checked.error()));
  }
  return query_rows(connection_,
                    "SELECT seq, server_id, at, kind, details FROM server_events "
                    "WHERE server_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                    read_server_event, server_id, after_seq, limit);
}

Result<std::int64_t> SqliteTx::prune_server_events(TimePoint before) {
  return execute(connection_, "DELETE FROM server_events WHERE at < ?1", before);
}

}  // namespace berth
