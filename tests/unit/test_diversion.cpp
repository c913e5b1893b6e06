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

// A control the same for both buyers (half the tonnes licensed, every application approved) and a
// stricter review of Otherland's (all of its tonnes licensed, 20% approved): Otherland's orders
// are refused 0.8 more than Importland's, 400 t of its 500 t a month; a diversion share of 0.4
// serves 0.4 x 400 = 160 t of it through Importland (1,000 t a month: +16%), and Otherland's own
// use falls to 1 - 0.4 x 0.8 = 0.68 of what it was. The control alone restricts no one.
const std::string CONTROL = R"(events:
  - id: c
    kind: export_control
    exporter: Exportland
    products: [magnet]
    share: 0.5
    approval_delay: {dist: fixed, value: 5}
    approval_rate: 1.0
    start: 2025-01-01
)";
const std::string STRICTER = R"(  - id: stricter
    kind: licence_delay
    control: c
    destinations: [Otherland]
    products: [magnet]
    share: 1.0
    approval_rate: 0.2
    start: 2025-01-01
)";

TEST_CASE("diversion: orders refused to one destination reappear at the others", "[diversion]") {
    const std::string share = "diversion: {share: 0.4}\n";
    const std::string none = "diversion: {share: 0}\n";
    const double x_free = september_with("Importland", none, CONTROL + STRICTER, "divl_free");
    CHECK(september_with("Importland", share, CONTROL + STRICTER, "divl_on") ==
          Approx(1.16 * x_free).epsilon(0.01));
    // Otherland: what is approved of its lower use (20% of it), against the same without diversion.
    const double y_free = september_with("Otherland", none, CONTROL + STRICTER, "divl_free_y");
    CHECK(september_with("Otherland", share, CONTROL + STRICTER, "divl_on_y") ==
          Approx(0.68 * y_free).epsilon(0.03));
    // The same control for every buyer diverts nothing.
    CHECK(september_with("Importland", share, CONTROL, "divl_same") ==
          Approx(september_with("Importland", none, CONTROL, "divl_same_free")).margin(1e-9));
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
