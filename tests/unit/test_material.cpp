// A made-up material in kilograms, all of it in data (docs/materials.md): its unit reaches
// summary.csv and the reported figures are converted to it; its customs series, tariff code,
// aliases and region sums decide what is compared; its element symbols are what an export
// control may list.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "chokepoint/compare/backtest.hpp"
#include "chokepoint/compare/compare.hpp"
#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/io/results.hpp"
#include "chokepoint/report/run_report.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/scenario/sweep_file.hpp"
#include "chokepoint/sweep/output_indices.hpp"
#include "chokepoint/sweep/plan.hpp"
#include "run_support.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::write_temp;

namespace {

const char* const HEADER = chokepoint::testing::REPORTED_HEADER;

// Widgets: one producer in Exportland ships 1,000 kg a month to a buyer in Importland and 500 kg
// to one in Otherland.
void write_widget_files(const std::string& material_extra = "") {
    write_temp("widget.yaml",
               "name: widgetium\nunit: kg\nelements: [Wx, Wy]\n"
               "customs_series:\n"
               "  - id: widget_exports\n    metric: exports\n"
               "    products:\n      - {text: Widgets unwrought, sum_of: [widget]}\n"
               "    tariff_code: \"81129200\"\n    tariff_products: [widget]\n"
               "region_sums:\n  - {region: Abroad, countries: [Importland, Otherland]}\n"
               "region_aliases:\n  EX: Exportland\n  WLD: World\n" +
                   material_extra);
    write_temp("widget_model.yaml",
               "name: widgets\nmaterial: widget.yaml\n"
               "products:\n  - {id: widget, controlled_share: 1.0}\nnodes:\n"
               "  - id: plant\n    country: Exportland\n    kind: source\n    production:\n"
               "      - {product: widget, capacity: 100000, cover_days: 30}\n"
               "  - id: a\n    country: Importland\n    kind: buyer\n    inputs:\n"
               "      - {product: widget, demand: 1000, cover_days: 30}\n"
               "  - id: b\n    country: Otherland\n    kind: buyer\n    inputs:\n"
               "      - {product: widget, demand: 500, cover_days: 30}\n"
               "edges:\n"
               "  - {from: plant, to: a, product: widget, flow: 1000, lead_time_days: 5}\n"
               "  - {from: plant, to: b, product: widget, flow: 500, lead_time_days: 5}\n");
}

std::string widget_scenario(const std::string& events = "") {
    return write_temp("widget_scenario.yaml",
                      "name: w\nmodel: widget_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\n"
                      "trials: 4\nseed: 1\n" +
                          events);
}

}  // namespace

TEST_CASE("material: a model in kilograms writes kg into summary.csv", "[material]") {
    write_widget_files();
    const Scenario s = load_scenario(widget_scenario());
    CHECK(s.material.name == "widgetium");
    CHECK(s.material.unit == "kg");
    CHECK(s.material.unit_name() == "kilograms");
    RunConfig config;
    config.trials = 4;
    const RunResult r = run_scenario(s, config);
    const std::string csv = format_summary_csv(r);
    CHECK(csv.find(",kg/month,") != std::string::npos);
    CHECK(csv.find(",t/month,") == std::string::npos);
    CHECK(csv.find(",t,") == std::string::npos);
    // The headline and the series' descriptions in kilograms too.
    const Headline h = compute_headline(s, r, headline_series(r.layout));
    REQUIRE(!h.lines().empty());
    CHECK_THAT(h.lines()[0], Catch::Contains("(P50, kg/month)"));
    const Scenario controlled = load_scenario(widget_scenario(
        "events:\n  - {id: c, kind: export_control, exporter: Exportland, products: [widget], "
        "approval_delay: {dist: fixed, value: 10}, approval_rate: 0.5, start: 2025-02-01}\n"));
    CHECK(report_series(OutputLayout::build(controlled), "licence_backlog", "widget").describe() ==
          "widget kilograms waiting for a licence in Exportland");
}

TEST_CASE("material: reported figures are converted to the material's unit", "[material]") {
    const std::string path =
        write_temp("units.csv", std::string(HEADER) +
                                    "x,A,B,p,2025-01,2025-01,2.5,t,,,S,d,u,\n"
                                    "x,A,B,p,2025-01,2025-01,900,kg,,,S,d,u,\n"
                                    "x,A,B,p,2025-01,2025-01,7,USD,,,S,d,u,\n");
    const auto in_kg = load_reported(path, "kg");
    CHECK(in_kg[0].amount == 2500.0);  // t to kg
    CHECK(in_kg[1].amount == 900.0);   // the value itself
    CHECK_FALSE(in_kg[2].is_mass);
    const auto in_t = load_reported(path, "t");
    CHECK(in_t[0].amount == 2.5);
    CHECK(in_t[1].amount == Approx(0.9));
}

TEST_CASE("material: its series, tariff code, aliases and region sums decide what is compared",
          "[material]") {
    write_widget_files();
    const Scenario s = load_scenario(widget_scenario());
    const std::string csv = write_temp(
        "widgets.csv",
        std::string(HEADER) +
            // 0: the published text, by the alias of Exportland, in tonnes: 1.2 t is 1,200 kg.
            "widget_exports,EX,Importland,Widgets unwrought,2025-02,2025-02,1.2,t,,,S,d,u,\n"
            // 1: any text naming the tariff code and nothing more, to the region sum.
            "widget_exports,Exportland,Abroad,\"HS 8112.92, widgets\",2025-03,2025-03,1400,kg,,,"
            "S,d,u,\n"
            // 2: the code with something added is another total.
            "widget_exports,Exportland,WLD,HS 8112.92 and widget powder,2025-03,2025-03,1,kg,,,"
            "S,d,u,\n"
            // 3: a series the material does not list.
            "gadget_exports,Exportland,WLD,widget,2025-03,2025-03,1,kg,,,S,d,u,\n");
    CompareConfig config;
    config.run.trials = 4;
    const Comparison c = compare_with_reported(s, load_reported(csv, s.material.unit), config);
    REQUIRE(c.figures.size() == 2);
    CHECK(c.figures[0].label == "exports widget Exportland->Importland");
    CHECK(c.figures[0].reported == 1200.0);
    CHECK(c.figures[1].label == "exports widget Exportland->Abroad");
    CHECK(c.figures[1].series.size() == 2);  // Importland + Otherland
    CHECK(c.figures[1].reported == 1400.0);
    // About 1,500 kg a month go abroad (31 days of 1,500 x 12 / 365.25).
    CHECK(c.figures[1].p50 == Approx(1500.0 * 31.0 * 12.0 / 365.25).epsilon(0.02));
    REQUIRE(c.unmapped.size() == 2);
    CHECK_THAT(c.unmapped[0].reason, Catch::Contains("a different total or a subtotal"));
    CHECK_THAT(c.unmapped[1].reason, Catch::Contains("series 'gadget_exports' has no counterpart"));
}

TEST_CASE("material: an export control lists the material's element symbols", "[material]") {
    write_widget_files();
    const std::string control =
        "events:\n  - {id: c, kind: export_control, exporter: Exportland, products: [widget], "
        "approval_delay: {dist: fixed, value: 10}, approval_rate: 0.5, start: 2025-02-01, "
        "elements: [Wx, ";
    CHECK_NOTHROW(load_scenario(widget_scenario(control + "Wy]}\n")));
    try {
        (void)load_scenario(widget_scenario(control + "Dy]}\n"));
        FAIL("a symbol the material does not list was accepted");
    } catch (const InputError& e) {
        CHECK_THAT(e.what(), Catch::Contains("'Dy' is not an element symbol of widgetium"));
    }
}

TEST_CASE("material: a material file's problems are located in it", "[material]") {
    write_widget_files("  XX: Nowhere\nregion_sum:\n  - {region: World, countries: [Mars]}\n");
    try {
        (void)load_scenario(widget_scenario());
        FAIL("a bad material file was accepted");
    } catch (const InputError& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("widget.yaml:16:7: error: region_aliases.XX: 'Nowhere' is "
                                         "not a country of the model"));
        CHECK_THAT(what, Catch::Contains("unknown key 'region_sum' (did you mean 'region_sums'?)"));
    }
}

TEST_CASE("material: the headline series is the material's, else the first exported product",
          "[material]") {
    write_widget_files();
    Scenario s = load_scenario(widget_scenario());
    CHECK(headline_series(OutputLayout::build(s)).product == "widget");
    CHECK(headline_series(OutputLayout::build(s)).exporter == "Exportland");
    write_widget_files("headline: {product: widget, exporter: Mars}\n");
    try {
        (void)load_scenario(widget_scenario());
        FAIL("a headline exporter the model lacks was accepted");
    } catch (const InputError& e) {
        CHECK_THAT(e.what(), Catch::Contains("headline.exporter: no node of the model is in "
                                             "'Mars'"));
    }
    // The rare-earth model leads with China's magnets although its first product is concentrate.
    s = load_scenario(
        (chokepoint::testing::source_dir() / "scenarios/april_controls.yaml").string());
    const ReportSeries head = headline_series(OutputLayout::build(s));
    CHECK(head.product == "magnet");
    CHECK(head.exporter == "China");
    s.material.headline_product.clear();
    s.material.headline_exporter.clear();
    CHECK(headline_series(OutputLayout::build(s)).product == "concentrate");
}

TEST_CASE("material: aliases, sums, symbols and texts that would mislead are refused",
          "[material]") {
    write_widget_files("  Importland: Otherland\n");
    try {
        (void)load_scenario(widget_scenario());
        FAIL("an alias that renames a country of the model was accepted");
    } catch (const InputError& e) {
        CHECK_THAT(e.what(), Catch::Contains("region_aliases.Importland: 'Importland' is a "
                                             "region of the model already"));
    }
    write_temp("bad_widget.yaml",
               "name: w\nunit: kg\nelements: [Wx, Wx, wx]\n"
               "customs_series:\n  - id: s\n    metric: exports\n    products:\n"
               "      - {text: A, sum_of: [widget]}\n      - {text: A, sum_of: [widget]}\n"
               "region_sums:\n  - {region: Nowhere, countries: []}\n");
    try {
        (void)load_material(
            (std::filesystem::path(write_temp("x.txt", "")).parent_path() / "bad_widget.yaml")
                .string());
        FAIL("a bad material file was accepted");
    } catch (const InputError& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("'Wx' is listed twice"));
        CHECK_THAT(what, Catch::Contains("'wx' is not an element symbol"));
        CHECK_THAT(what, Catch::Contains("the product text 'A' is listed twice"));
        CHECK_THAT(what, Catch::Contains("a region sum needs at least one country"));
    }
}

TEST_CASE("material: the model's balance errors speak the material's unit", "[material]") {
    write_widget_files();
    std::ifstream in(std::filesystem::path(write_temp("y.txt", "")).parent_path() /
                     "widget_model.yaml");
    std::string model((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    model.replace(model.find("demand: 1000"), 12, "demand: 900");
    write_temp("widget_model.yaml", model);
    try {
        (void)load_scenario(widget_scenario());
        FAIL("an unbalanced model was accepted");
    } catch (const InputError& e) {
        CHECK_THAT(e.what(), Catch::Contains("uses 900 kg/month of widget but its lanes carry "
                                             "1000 kg/month"));
    }
}

namespace {

// Widgets from two producers: `plant` in Exportland ships 1,000 kg a month to the buyer in
// Importland and 500 kg to Otherland's; `mill` in Farland ships 500 kg a month to Importland's,
// all it can make. One export control, on Exportland: from 2025-03-01 (announced 2025-02-15)
// every licence application is refused, in 10 working days.
std::string two_producer_scenario() {
    write_widget_files();
    write_temp("widget2_model.yaml",
               "name: widgets2\nmaterial: widget.yaml\n"
               "products:\n  - {id: widget, controlled_share: 1.0}\nnodes:\n"
               "  - id: plant\n    country: Exportland\n    kind: source\n    production:\n"
               "      - {product: widget, capacity: 100000, cover_days: 30}\n"
               "  - id: mill\n    country: Farland\n    kind: source\n    production:\n"
               "      - {product: widget, capacity: 500, cover_days: 30}\n"
               "  - id: a\n    country: Importland\n    kind: buyer\n    inputs:\n"
               "      - {product: widget, demand: 1500, cover_days: 30}\n"
               "  - id: b\n    country: Otherland\n    kind: buyer\n    inputs:\n"
               "      - {product: widget, demand: 500, cover_days: 30}\n"
               "edges:\n"
               "  - {from: plant, to: a, product: widget, flow: 1000, lead_time_days: 5}\n"
               "  - {from: mill, to: a, product: widget, flow: 500, lead_time_days: 5}\n"
               "  - {from: plant, to: b, product: widget, flow: 500, lead_time_days: 5}\n");
    return write_temp("widget2_scenario.yaml",
                      "name: w2\nmodel: widget2_model.yaml\nstart: 2025-01-01\nhorizon: 2025-08\n"
                      "trials: 4\nseed: 1\nevents:\n"
                      "  - {id: c, kind: export_control, exporter: Exportland, products: [widget], "
                      "share: 1.0, approval_delay: {dist: fixed, value: 10}, approval_rate: 0, "
                      "start: 2025-03-01, announced: 2025-02-15}\n");
}

// A month's flow at `per_month` kg a month, by its days (the model's months are days x 12 /
// 365.25 of a year's flow).
double month_of(double per_month, int days) {
    return per_month * days * 12.0 / 365.25;
}

double p50_of(const RunResult& r, const std::string& from, const std::string& to,
              const std::string& month) {
    const int s = r.layout.find(SeriesKey{"exports", "widget", from, to});
    REQUIRE(s >= 0);
    const int m = *parse_month(month) - r.layout.first_month;
    return r.at(static_cast<std::size_t>(s), m).p50;
}

}  // namespace

TEST_CASE("material: two producers and one control, through run, compare, backtest and sweep",
          "[material]") {
    const std::string path = two_producer_scenario();
    const Scenario s = load_scenario(path);
    RunConfig config;
    config.trials = 4;
    const RunResult r = run_scenario(s, config);
    // Farland is not controlled: its 500 kg a month, all it makes, reach Importland before the
    // control and again once its stock has gone to make up for Exportland's.
    CHECK(p50_of(r, "Farland", "Importland", "2025-02") == Approx(month_of(500, 28)));
    CHECK(p50_of(r, "Farland", "Importland", "2025-06") == Approx(month_of(500, 30)));
    // Exportland's flow is whole before the control and nothing once the refusals come through.
    CHECK(p50_of(r, "Exportland", "Importland", "2025-02") == Approx(month_of(1000, 28)));
    CHECK(p50_of(r, "Exportland", "Importland", "2025-06") == 0.0);
    CHECK(p50_of(r, "Exportland", "Otherland", "2025-06") == 0.0);
    CHECK(format_summary_csv(r).find(",t/month,") == std::string::npos);

    // Backtest: reported figures that follow the control. From 2025-01 the control is not known
    // (announced 2025-02-15), so May is forecast whole; from 2025-02 it is known: nothing.
    std::string csv = chokepoint::testing::REPORTED_HEADER;
    for (int m = 1; m <= 8; ++m) {
        const std::string month = "2025-0" + std::to_string(m);
        csv += "widget_exports,EX,Importland,Widgets unwrought," + month + "," + month + "," +
               (m < 4 ? "1000" : "0") + ",kg,,,S,d,u,\n";
    }
    // Compare: the figures as reported (the scenario knows the control), in kilograms. February
    // and June are a whole month and nothing, as the model has them.
    const auto rows = load_reported(write_temp("w2.csv", csv), "kg");
    CompareConfig cc;
    cc.run.trials = 4;
    const Comparison c = compare_with_reported(s, rows, cc);
    REQUIRE(c.figures.size() == 8);
    for (const auto& f : c.figures) {
        const std::string month = format_month(c.rows[f.row].first);
        if (month == "2025-02") {
            CHECK(f.p50 == Approx(month_of(1000, 28)));
            CHECK(f.reported == 1000.0);
        } else if (month == "2025-06") {
            CHECK(f.p50 == 0.0);
            CHECK(f.inside90);
        }
    }
    CHECK(format_comparison_csv(c, s).find(",kg,") != std::string::npos);
    BacktestConfig bt;
    bt.compare.run.trials = 4;
    bt.origins = {*parse_month("2025-01"), *parse_month("2025-02")};
    bt.max_lead = 4;
    const Backtest b = run_backtest(s, rows, bt);
    REQUIRE(b.origins.size() == 2);
    const auto may = [&](const BacktestOrigin& o) {
        for (const auto& f : o.figures) {
            if (o.rows[f.row].first == *parse_month("2025-05")) {
                return f.p50;
            }
        }
        FAIL("no May figure");
        return 0.0;
    };
    CHECK(may(b.origins[0]) == Approx(month_of(1000, 31)));
    CHECK(may(b.origins[1]) == 0.0);
    CHECK(format_backtest_csv(b).find(",crps,unit,") != std::string::npos);
    CHECK(format_backtest_csv(b).find(",kg,") != std::string::npos);
    CHECK(format_backtest_figures_csv(b).find(",crps,unit,") != std::string::npos);
    CHECK(format_backtest_figures_csv(b).find(",kg,") != std::string::npos);

    // Sweep: the control's start from 2025-03-01 to 2025-07-01 moves May's exports to Importland
    // from nothing to the lane's whole flow, in kilograms. Farland sells Importland its 30 days
    // of stock when Exportland stops, and from June no more than it makes, at either start.
    const std::string sweep = write_temp(
        "w2_sweep.yaml",
        "scenario: widget2_scenario.yaml\ntrials: 4\ndesign: {type: oat}\nfactors:\n"
        "  - {path: events.c.start, range: [2025-03-01, 2025-07-01]}\noutputs:\n"
        "  - {id: ex, metric: exports, product: widget, from: Exportland, to: Importland, "
        "month: 2025-05}\n"
        "  - {id: far, metric: exports, product: widget, from: Farland, to: Importland, "
        "month: 2025-06}\n");
    const SweepPlan plan = plan_sweep(load_sweep_file(sweep));
    REQUIRE(plan.points() == 3);
    const auto values = chokepoint::testing::run_every_point(plan, 1);
    const auto idx = sweep_indices(plan, values);
    REQUIRE(idx.size() == 2);
    CHECK(idx[0].unit == "kg");
    const auto swing = [](const OutputIndices& o) {
        for (const auto& row : o.rows) {
            if (row.index == "swing") {
                return row.value;
            }
        }
        FAIL("no swing");
        return 0.0;
    };
    CHECK(swing(idx[0]) == Approx(month_of(1000, 31)));
    CHECK(swing(idx[1]) == 0.0);
}

TEST_CASE("material: no name or message assumes tonnes", "[material]") {
    // A model in kilograms: validate's messages about amounts say so.
    write_widget_files();
    write_temp("widget_bad_model.yaml",
               "name: widgets\nmaterial: widget.yaml\n"
               "products:\n  - {id: widget, controlled_share: 1.0}\nnodes:\n"
               "  - id: plant\n    country: Exportland\n    kind: source\n    production:\n"
               "      - {product: widget, cover_days: 30}\n"
               "  - id: a\n    country: Importland\n    kind: buyer\n    inputs:\n"
               "      - {product: widget, demand: 1000, cover_days: 30, stock: -1}\n"
               "edges:\n"
               "  - {from: plant, to: a, product: widget, flow: -5, lead_time_days: 5}\n");
    try {
        (void)load_scenario(write_temp("widget_bad.yaml",
                                       "name: w\nmodel: widget_bad_model.yaml\nstart: 2025-01-01\n"
                                       "horizon: 2025-06\n"));
        FAIL("a bad model was accepted");
    } catch (const InputError& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("a production line needs 'capacity:' (kg/month)"));
        CHECK_THAT(what, Catch::Contains("a stock must be >= 0 kilograms, found -1"));
        CHECK_THAT(what, Catch::Contains("a flow must be >= 0 kg/month, found -5"));
        CHECK(what.find("t/month") == std::string::npos);
        CHECK(what.find("tonnes") == std::string::npos);
    }
    // buyers.csv names its amounts' unit; the sweep measure has a name of its own.
    const Scenario s = load_scenario(widget_scenario());
    RunConfig config;
    config.trials = 4;
    const std::string buyers = format_buyers_csv(s, run_scenario(s, config));
    CHECK_THAT(buyers, Catch::StartsWith("buyer,country,product,shortage_probability,"
                                         "shortage_mass_mean,shortage_mass_p50,shortage_mass_p95,"
                                         "unit,"));
    CHECK_THAT(buyers, Catch::Contains(",kg,"));
    const std::string sweep =
        write_temp("w_old_measure.yaml",
                   "scenario: widget_scenario.yaml\ndesign: {type: oat}\nfactors:\n"
                   "  - {path: trials, range: [2, 3]}\noutputs:\n"
                   "  - {id: s, buyer: a, product: widget, measure: shortage_tonnes}\n");
    try {
        (void)load_sweep_file(sweep);
        FAIL("the old measure name was accepted");
    } catch (const InputError& e) {
        CHECK_THAT(e.what(), Catch::Contains("'shortage_tonnes' is now 'shortage_mass'"));
    }
}
