// SPDX-License-Identifier: MIT
#include "rdkafka.hpp"

#include <hollywood/actor/log.hpp>
#include <hollywood/error.hpp>

#include <string>
#include <string_view>

namespace hollywood::eventbus::kafka::detail {

namespace {

// librdkafka logs with syslog levels from its own threads; they go to the library's hook so
// an application sees one log, and routine notices stay below the default level.
void route_log(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  actor::log_level ours = actor::log_level::debug;
  if (level <= 2) {
    ours = actor::log_level::error;
  } else if (level <= 4) {
    // librdkafka reports every refused connection at LOG_ERR while it reconnects by itself; the
    // consumer reports an outage once as an error of its own.
    ours = actor::log_level::warn;
  } else if (level <= 6) {
    ours = actor::log_level::info;
  }
  const std::string_view fac(facility);
  if (fac == "FAIL" || fac == "ERROR") ours = actor::log_level::info;
  // The bus gives its consumer and its producer the same user properties on purpose; each
  // client's note that it ignores the other's is noise.
  if (fac == "CONFWARN" &&
      std::string_view(text).find("will be ignored by this") != std::string_view::npos) {
    ours = actor::log_level::debug;
  }
  if (!actor::log_enabled(ours)) return;
  std::string line = "kafka ";
  line += rd_kafka_name(rk);
  line += ' ';
  line += facility;
  line += ": ";
  line += text;
  actor::write_log(ours, line);
}

}  // namespace

expected<conf_handle> make_conf(const properties& props, std::string& problem) {
  conf_handle conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), &route_log);
  char reason[512];
  for (const auto& [key, value] : props) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), reason, sizeof reason) !=
        RD_KAFKA_CONF_OK) {
      problem = "property '" + key + "': " + reason;
      return unexpected(errc::invalid_config);
    }
  }
  return conf;
}

expected<kafka_handle> make_client(rd_kafka_type_t type, conf_handle conf, std::string& problem) {
  char reason[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), reason, sizeof reason);
  if (rk == nullptr) {
    problem = reason;
    return unexpected(errc::invalid_config);
  }
  (void)conf.release();  // rd_kafka_new took ownership
  return kafka_handle(rk);
}

std::string_view error_text(rd_kafka_resp_err_t err) noexcept {
  return rd_kafka_err2str(err);
}

}  // namespace hollywood::eventbus::kafka::detail
