// Trade that finds other routes (Scenario::diversion), on the small model: a tariff on
// Otherland's magnets from Exportland (rate 1, elasticity 1) halves buyer_y's demand of 500 t a
// month; a diversion share of 0.4 sends 0.4 x 250 = 100 t a month of it to buyer_x (1,000 t a
// month, the only other buyer), whose use rises by 10%. Known answers, once stocks have adjusted
// (September): Importland's exports 1.10 times the run without the tariff, Otherland's 0.5 times;
// a share of 0, or no diversion at all, leaves Importland exactly as without the tariff; an
// excluded buyer receives nothing.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "chokepoint/kernel/trial.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "run_support.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::write_temp;

namespace {

const std::string TARIFF = R"(events:
  - id: t
    kind: tariff
    importer: Otherland
    exporter: Exportland
    rate: 1.0
    elasticity: 1.0
    start: 2025-01-01
)";

// Exports of magnets from Exportland to `to` in 2025-09, one trial, with `diversion` appended
// to the small model (empty: none) and the tariff or not.
double september_with(const std::string& to, const std::string& diversion,
                      const std::string& events, const std::string& name);

double september(const std::string& to, const std::string& diversion, bool tariff,
                 const std::string& name) {
    return september_with(to, diversion, tariff ? TARIFF : "", name);
}

// The same with any events.
double september_with(const std::string& to, const std::string& diversion,
                      const std::string& events, const std::string& name) {
    std::ifstream in(chokepoint::testing::fixtures() / "small_model.yaml");
    const std::string model((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    write_temp(name + "_model.yaml", model + diversion);
    const Scenario s = load_scenario(
        write_temp(name + ".yaml", "name: " + name + "\nmodel: " + name +
                                       "_model.yaml\nstart: 2025-01-01\nhorizon: 2025-12\n"
                                       "trials: 1\nseed: 3\n" +
                                       events));
    const auto months =
        chokepoint::testing::one_trial_series(s, {"exports", "magnet", "Exportland", to});
    return months[static_cast<std::size_t>(*parse_month("2025-09") - *parse_month("2025-01"))];
}

}  // namespace

TEST_CASE("diversion: a share of the demand a tariff destroys reappears at the other buyer",
          "[diversion]") {
    const double x_free = september("Importland", "", false, "div_free");
    const double y_free = september("Otherland", "", false, "div_free_y");
    const std::string share = "diversion: {share: 0.4}\n";
    CHECK(september("Importland", share, true, "div_on") == Approx(1.10 * x_free).epsilon(0.01));
    CHECK(september("Otherland", share, true, "div_on_y") == Approx(0.5 * y_free).epsilon(0.02));
    // Off: a share of 0, or no diversion, leaves the other buyer as it was.
    CHECK(september("Importland", "diversion: {share: 0}\n", true, "div_zero") ==
          Approx(x_free).margin(1e-9));
    CHECK(september("Importland", "", true, "div_none") == Approx(x_free).margin(1e-9));
    // An excluded buyer receives nothing.
    CHECK(september("Importland", "diversion: {share: 0.4, exclude: [buyer_x]}\n", true,
                    "div_excluded") == Approx(x_free).margin(1e-9));
}

// A control the same for both buyers (half the tonnes licensed, half the applications approved:
// a quarter of every buyer's orders refused) and a stricter review of Otherland's (all of its
// tonnes licensed, 20% approved: 0.8 refused): Otherland's orders are refused 0.55 more than
// Importland's, 275 t of its 500 t a month; a diversion share of 0.4 serves 0.4 x 275 = 110 t of
// it through Importland (1,000 t a month: +11%), and Otherland's own use falls to
// 1 - 0.4 x 0.55 = 0.78 of what it was. The control alone restricts no one.
std::string control(double share, double rate) {
    return "events:\n  - id: c\n    kind: export_control\n    exporter: Exportland\n"
           "    products: [magnet]\n    share: " +
           std::to_string(share) +
           "\n    approval_delay: {dist: fixed, value: 5}\n    approval_rate: " +
           std::to_string(rate) + "\n    start: 2025-01-01\n";
}
const std::string STRICTER = R"(  - id: stricter
    kind: licence_delay
    control: c
    destinations: [Otherland]
    products: [magnet]
    share: 1.0
    approval_rate: 0.2
    start: 2025-01-01
)";

// The small model with a second supplier of Importland's (Thirdland, half of its magnets), which
// no control reaches.
const std::string TWO_SUPPLIERS = R"(name: two_suppliers
adjust_days: 20
products:
  - {id: concentrate, controlled_share: 0}
  - {id: magnet, controlled_share: 1.0}
nodes:
  - {id: mine, country: Exportland, kind: source, production: [{product: concentrate, capacity: 2400, cover_days: 20}]}
  - id: refinery
    country: Exportland
    kind: processor
    inputs: [{product: concentrate, feed_yield: 0.5, cover_days: 20}]
    production: [{product: magnet, capacity: 1400, feed_per_tonne: 1.0, cover_days: 20}]
  - {id: third, country: Thirdland, kind: source, production: [{product: magnet, capacity: 600, cover_days: 20}]}
  - {id: buyer_x, country: Importland, kind: buyer, inputs: [{product: magnet, demand: 1000, cover_days: 30}]}
  - {id: buyer_y, country: Otherland, kind: buyer, inputs: [{product: magnet, demand: 500, cover_days: 30}]}
edges:
  - {from: mine, to: refinery, product: concentrate, flow: 2000, lead_time_days: 3}
  - {from: refinery, to: buyer_x, product: magnet, flow: 500, lead_time_days: 10}
  - {from: third, to: buyer_x, product: magnet, flow: 500, lead_time_days: 10}
  - {from: refinery, to: buyer_y, product: magnet, flow: 500, lead_time_days: 10}
)";

TEST_CASE("diversion: orders refused to one destination reappear at the others", "[diversion]") {
    const std::string share = "diversion: {share: 0.4}\n";
    const std::string none = "diversion: {share: 0}\n";
    const std::string events = control(0.5, 0.5) + STRICTER;
    const double x_free = september_with("Importland", none, events, "divl_free");
    CHECK(september_with("Importland", share, events, "divl_on") ==
          Approx(1.11 * x_free).epsilon(0.01));
    // Otherland: what is approved of its lower use, against the same without diversion.
    const double y_free = september_with("Otherland", none, events, "divl_free_y");
    CHECK(september_with("Otherland", share, events, "divl_on_y") ==
          Approx(0.78 * y_free).epsilon(0.03));
    // The same control for every buyer diverts nothing, though it refuses a quarter of all.
    CHECK(september_with("Importland", share, control(0.5, 0.5), "divl_same") ==
          Approx(september_with("Importland", none, control(0.5, 0.5), "divl_same_free"))
              .margin(1e-9));
}

TEST_CASE("diversion: a buyer with a second supplier is not less restricted by the same control",
          "[diversion]") {
    // Importland's magnets from Thirdland escape the control; those from Exportland face the same
    // review as Otherland's: nothing is diverted.
    auto september_two = [&](const std::string& diversion, const std::string& name) {
        write_temp(name + "_model.yaml", TWO_SUPPLIERS + diversion);
        const Scenario s = load_scenario(write_temp(
            name + ".yaml", "name: " + name + "\nmodel: " + name +
                                "_model.yaml\nstart: 2025-01-01\nhorizon: 2025-12\ntrials: 1\n"
                                "seed: 3\n" +
                                control(1.0, 0.5)));
        const auto months = chokepoint::testing::one_trial_series(
            s, {"exports", "magnet", "Exportland", "Otherland"});
        return months[8];
    };
    CHECK(september_two("diversion: {share: 0.4}\n", "div2_on") ==
          Approx(september_two("diversion: {share: 0}\n", "div2_free")).margin(1e-9));
}

TEST_CASE("diversion: validate names a share out of range and an excluded node that is no buyer",
          "[diversion]") {
    std::ifstream in(chokepoint::testing::fixtures() / "small_model.yaml");
    const std::string model((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto error = [&](const std::string& diversion) -> std::string {
        write_temp("div_bad_model.yaml", model + diversion);
        try {
            (void)load_scenario(write_temp(
                "div_bad.yaml",
                "name: t\nmodel: div_bad_model.yaml\nstart: 2025-01-01\nhorizon: 2025-12\n"));
        } catch (const InputError& e) {
            return e.what();
        }
        return "";
    };
    CHECK_THAT(error("diversion: {share: 1.5}\n"), Catch::Contains("diversion.share"));
    CHECK_THAT(error("diversion: {share: 0.5, exclude: [refinery]}\n"),
               Catch::Contains("'refinery' is not a buyer"));
    CHECK_THAT(error("diversion: {exclude: [buyer_x]}\n"), Catch::Contains("needs 'share:'"));
}
