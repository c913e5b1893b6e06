#include "chokepoint/events/events.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace chokepoint {

namespace {
constexpr const char* KIND_NAMES[] = {"export_control",  "licence_delay", "supply_disruption",
                                      "export_halt",     "tariff",        "agreement",
                                      "capacity_change", "demand_shock"};
}

const char* to_string(EventKind kind) {
    return KIND_NAMES[static_cast<int>(kind)];
}

bool parse_event_kind(const std::string& text, EventKind& out) {
    for (int i = 0; i < 8; ++i) {
        if (text == KIND_NAMES[i]) {
            out = static_cast<EventKind>(i);
            return true;
        }
    }
    return false;
}

std::vector<std::string> event_kind_names() {
    return std::vector<std::string>(std::begin(KIND_NAMES), std::end(KIND_NAMES));
}

std::vector<ResolvedEvent> resolve_events(const std::vector<EventSpec>& specs,
                                          const std::vector<double>& parameters,
                                          std::uint64_t events_seed) {
    std::vector<ResolvedEvent> out(specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const EventSpec& s = specs[i];
        ResolvedEvent& r = out[i];
        // Each event has its own sub-stream keyed by its id, so adding, removing, editing or
        // reordering events leaves the draws of every other event unchanged.
        // (An event built in code without an id falls back to its position.)
        Rng rng(events_seed ^ (s.id.empty() ? mix64(i + 1) : name_key(s.id)));
        const double p = s.probability.resolve(parameters, rng);
        r.happens = rng.uniform() < p;
        r.start = static_cast<Day>(std::lround(s.start.resolve(parameters, rng)));
        if (s.has_end) {
            r.end = static_cast<Day>(std::lround(s.end.resolve(parameters, rng)));
        } else if (s.has_duration) {
            const double d = std::max(0.0, s.duration_days.resolve(parameters, rng));
            r.end = r.start + static_cast<Day>(std::lround(d));
        }
        if (s.has_share) {
            r.share = std::clamp(s.share.resolve(parameters, rng), 0.0, 1.0);
        }
        if (s.has_approval_delay) {
            r.has_approval_delay = true;
            r.approval_delay = s.approval_delay.resolve(parameters, rng);
        }
        if (s.has_approval_rate) {
            r.approval_rate = std::clamp(s.approval_rate.resolve(parameters, rng), 0.0, 1.0);
        }
        r.factor = std::max(0.0, s.factor.resolve(parameters, rng));
        r.rate = s.rate.resolve(parameters, rng);
        r.elasticity = s.elasticity.resolve(parameters, rng);
        r.change = s.change.resolve(parameters, rng);
        if (s.has_hazard) {
            // Drawn last: the other draws of this event's stream are as without a hazard.
            const double rate = std::max(0.0, s.hazard_per_year.resolve(parameters, rng));
            const double u = rng.uniform();
            const double wait_days = rate > 0.0 ? -std::log1p(-u) / rate * 365.25 : INFINITY;
            if (wait_days < 36525.0) {  // within a century; later is never
                const Day length = r.end == NEVER ? NEVER : r.end - r.start;
                r.start += static_cast<Day>(std::lround(wait_days));
                r.end = length == NEVER ? NEVER : r.start + length;
            } else {
                r.happens = false;
            }
        }
        if (s.end_unknown) {
            // Drawn last and only here: the event's other draws are as when its end is known.
            r.end = NEVER;
            if (s.has_expected_duration) {
                // Known to be in force on `in_force_on`: a length ending by then is drawn again
                // (the distribution conditioned on that); a fixed length, or one that cannot end
                // later, ends the day after.
                r.end = s.in_force_on + 1;
                const bool random = s.expected_duration_days.kind == Quantity::Kind::distribution;
                for (int attempt = 0; attempt < (random ? 1000 : 1); ++attempt) {
                    const double d =
                        std::max(0.0, s.expected_duration_days.resolve(parameters, rng));
                    const Day end = r.start + static_cast<Day>(std::lround(d));
                    if (end > s.in_force_on) {
                        r.end = end;
                        break;
                    }
                }
            }
        }
    }
    return out;
}

}  // namespace chokepoint
