#include "chokepoint/io/results.hpp"

#include <nlohmann/json.hpp>

#include <sstream>

#include "chokepoint/io/files.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/version.hpp"
#include "json.hpp"

namespace chokepoint {

const char* version() {
    return CHOKEPOINT_VERSION;
}
const char* git_revision() {
    return CHOKEPOINT_GIT_REVISION;
}

std::string series_unit(const std::string& metric, const std::string& mass_unit) {
    if (metric == "days_short") {
        return "days";
    }
    if (metric == "stock" || metric == "licence_backlog") {
        return mass_unit;  // at the month's end
    }
    return mass_unit + "/month";
}

namespace {
void append_summary(std::ostringstream& out, const Summary& s) {
    for (double v : {s.mean, s.sd, s.p05, s.p25, s.p50, s.p75, s.p95}) {
        out << ',' << format_exact(v);
    }
}
}  // namespace

std::string format_summary_csv(const RunResult& result) {
    std::ostringstream out;
    out << "metric,product,from,to,period,mean,sd,p05,p25,p50,p75,p95,unit,partner_total,trials,"
           "partial\n";
    const OutputLayout& layout = result.layout;
    const std::string tail = "," + std::to_string(result.trials_completed) + "," +
                             (result.partial ? "true" : "false") + "\n";
    for (std::size_t s = 0; s < layout.series.size(); ++s) {
        const SeriesKey& key = layout.series[s];
        const std::string unit = series_unit(key.metric, result.layout.unit);
        const bool total = key.from == "World" || key.to == "World";
        for (int m = 0; m < layout.months; ++m) {
            out << csv_field(key.metric) << ',' << csv_field(key.product) << ','
                << csv_field(key.from) << ',' << csv_field(key.to) << ','
                << format_month(layout.first_month + m);
            append_summary(out, result.at(s, m));
            out << ',' << unit << ',' << (total ? "true" : "false") << tail;
        }
    }
    return out.str();
}

std::string format_buyers_csv(const Scenario& scenario, const RunResult& result) {
    std::ostringstream out;
    out << "buyer,country,product,shortage_probability,shortage_mass_mean,"
           "shortage_mass_p50,shortage_mass_p95,unit,days_short_mean,days_short_p95,"
           "time_to_shortage_from,time_to_shortage_p05,time_to_shortage_p50,"
           "time_to_shortage_p95,trials,partial\n";
    for (std::size_t b = 0; b < result.layout.buyers.size(); ++b) {
        const BuyerKey& key = result.layout.buyers[b];
        const BuyerSummary& s = result.buyers[b];
        const bool any = s.time_to_shortage.count > 0;
        out << csv_field(key.buyer) << ',' << csv_field(key.country) << ','
            << csv_field(key.product_id) << ',' << format_exact(s.shortage_probability) << ','
            << format_exact(s.shortage_mass.mean) << ',' << format_exact(s.shortage_mass.p50) << ','
            << format_exact(s.shortage_mass.p95) << ',' << result.layout.unit << ','
            << format_exact(s.days_short.mean) << ',' << format_exact(s.days_short.p95) << ','
            << format_date(scenario.reference_day) << ','
            << (any ? format_exact(s.time_to_shortage.p05) : "") << ','
            << (any ? format_exact(s.time_to_shortage.p50) : "") << ','
            << (any ? format_exact(s.time_to_shortage.p95) : "") << ',' << result.trials_completed
            << ',' << (result.partial ? "true" : "false") << '\n';
    }
    return out.str();
}

std::string format_run_json(const Scenario& scenario, const RunConfig& config,
                            const RunResult& result, const RunMetadata& meta,
                            const std::vector<std::string>& extra_files) {
    nlohmann::ordered_json j;
    j["tool"] = "chokepoint simulate";
    j["version"] = version();
    j["git_revision"] = git_revision();
    j["command_line"] = meta.command_line;
    j["scenario"] = {{"name", scenario.name},
                     {"path", meta.scenario_path},
                     {"sha256", meta.scenario_sha256},
                     {"model_path", meta.model_path},
                     {"model_sha256", meta.model_sha256},
                     {"start", format_date(scenario.start)},
                     {"end", format_date(scenario.end)},
                     {"time_step_days", scenario.step_days},
                     {"resolved", scenario.resolved_yaml}};
    j["seed"] = config.seed;
    j["trials"] = result.trials_requested;
    j["trials_completed"] = result.trials_completed;
    j["partial"] = result.partial;
    j["threads"] = result.threads;
    j["wall_seconds"] = result.wall_seconds;
    j["trials_per_second"] =
        result.wall_seconds > 0 ? static_cast<double>(result.trials_completed) / result.wall_seconds
                                : 0.0;
    std::vector<std::string> files = {"summary.csv", "buyers.csv"};
    files.insert(files.end(), extra_files.begin(), extra_files.end());
    j["files"] = files;
    return json_text(j);
}

void write_results(const std::filesystem::path& dir, const Scenario& scenario,
                   const RunConfig& config, const RunResult& result, const RunMetadata& meta,
                   const ExtraFiles& extra) {
    StagedDirectory staged(dir);
    write_file_atomic(staged.path() / "summary.csv", format_summary_csv(result));
    write_file_atomic(staged.path() / "buyers.csv", format_buyers_csv(scenario, result));
    const std::vector<std::string> more = extra ? extra(staged.path()) : std::vector<std::string>{};
    write_file_atomic(staged.path() / "run.json",
                      format_run_json(scenario, config, result, meta, more));
    staged.commit();
}

}  // namespace chokepoint
