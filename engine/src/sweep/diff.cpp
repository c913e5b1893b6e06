#include "chokepoint/sweep/diff.hpp"

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "chokepoint/io/files.hpp"
#include "chokepoint/io/results.hpp"
#include "chokepoint/stats/moments.hpp"

namespace chokepoint {

double DiffResult::independent_equivalent(std::size_t column) const {
    const double vd = monthly[column].sd * monthly[column].sd;
    if (!(vd > 0.0)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return static_cast<double>(trials_completed) * (var_base[column] + var_whatif[column]) / vd;
}

DiffResult run_diff(const Scenario& base, const Scenario& whatif, const RunConfig& config) {
    if (base.start != whatif.start || base.end != whatif.end ||
        base.step_days != whatif.step_days) {
        throw std::invalid_argument(
            "the two scenarios must share start, horizon and time_step_days to be compared "
            "month by month");
    }
    DiffResult out;
    out.layout = OutputLayout::build(whatif);
    const OutputLayout base_layout = OutputLayout::build(base);
    const auto months = static_cast<std::size_t>(out.layout.months);
    std::vector<int> base_series(out.layout.series.size());
    for (std::size_t s = 0; s < out.layout.series.size(); ++s) {
        base_series[s] = base_layout.find(out.layout.series[s]);
        if (base_series[s] < 0) {
            out.missing_in_base.push_back(static_cast<int>(s));
        }
    }
    const std::size_t cols = out.layout.monthly_size();
    std::vector<Accumulator> diff(cols);
    std::vector<RunningMoments> mb(cols), mw(cols);
    std::vector<std::uint64_t> lower(cols, 0);
    constexpr int CHUNK = 512;
    std::vector<std::vector<double>> held;  // the base's monthly values of the chunk
    int done = 0;
    while (done < config.trials) {
        if (config.cancel != nullptr && config.cancel->load()) {
            out.partial = true;
            break;
        }
        const int n = std::min(CHUNK, config.trials - done);
        RunConfig c = config;
        c.trials = n;
        c.first_trial = config.first_trial + static_cast<std::uint64_t>(done);
        c.only_series = std::vector<std::size_t>{};
        c.progress = nullptr;
        c.cancel = nullptr;  // a chunk runs whole in both scenarios; cancellation is checked above
        held.assign(static_cast<std::size_t>(n), {});
        c.observer = [&](std::uint64_t trial, const TrialResult& r) {
            held[trial - c.first_trial] = r.monthly;
        };
        (void)run_scenario(base, c);
        c.observer = [&](std::uint64_t trial, const TrialResult& r) {
            const std::vector<double>& b = held[trial - c.first_trial];
            for (std::size_t s = 0; s < out.layout.series.size(); ++s) {
                const int bs = base_series[s];
                for (std::size_t m = 0; m < months; ++m) {
                    const std::size_t col = s * months + m;
                    const double w = r.monthly[col];
                    const double v = bs >= 0 ? b[static_cast<std::size_t>(bs) * months + m] : 0.0;
                    diff[col].add(w - v);
                    mb[col].add(v);
                    mw[col].add(w);
                    lower[col] += w < v ? 1 : 0;
                }
            }
        };
        (void)run_scenario(whatif, c);
        done += n;
        if (config.progress) {
            config.progress(done, config.trials);
        }
    }
    out.trials_completed = done;
    out.monthly.resize(cols);
    out.prob_lower.resize(cols);
    out.var_base.resize(cols);
    out.var_whatif.resize(cols);
    for (std::size_t col = 0; col < cols; ++col) {
        out.monthly[col] = diff[col].summary();
        out.prob_lower[col] =
            done > 0 ? static_cast<double>(lower[col]) / static_cast<double>(done) : 0.0;
        out.var_base[col] = mb[col].sd() * mb[col].sd();
        out.var_whatif[col] = mw[col].sd() * mw[col].sd();
    }
    return out;
}

std::string format_diff_csv(const DiffResult& d) {
    std::ostringstream out;
    out << "metric,product,from,to,period,mean,sd,p05,p25,p50,p75,p95,prob_lower,unit,"
           "partner_total\n";
    for (std::size_t s = 0; s < d.layout.series.size(); ++s) {
        const SeriesKey& k = d.layout.series[s];
        for (int m = 0; m < d.layout.months; ++m) {
            const Summary& x = d.at(s, m);
            out << csv_field(k.metric) << ',' << csv_field(k.product) << ',' << csv_field(k.from)
                << ',' << csv_field(k.to) << ',' << format_month(d.layout.first_month + m);
            for (double v : {x.mean, x.sd, x.p05, x.p25, x.p50, x.p75, x.p95}) {
                out << ',' << format_exact(v);
            }
            out << ','
                << format_exact(d.prob_lower[s * static_cast<std::size_t>(d.layout.months) +
                                             static_cast<std::size_t>(m)])
                << ',' << series_unit(k.metric, d.layout.unit) << ','
                << (k.from == "World" || k.to == "World" ? "true" : "false") << '\n';
        }
    }
    return out.str();
}

}  // namespace chokepoint
