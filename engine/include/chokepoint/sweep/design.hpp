#pragma once
/// Experimental designs on the unit hypercube [0, 1]^k: the points a sweep runs, in the order it
/// runs them, with the structure the estimators need. Pure functions of their arguments (and a
/// seed), so a design is the same on every machine and every MPI rank.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace chokepoint {

/// Latin hypercube: `n` points; in each dimension every stratum [i/n, (i+1)/n) holds exactly one
/// point, placed uniformly inside it (McKay, Beckman and Conover, 1979).
std::vector<std::vector<double>> latin_hypercube(std::size_t n, std::size_t k, std::uint64_t seed);

/// Morris trajectories (Morris, 1991): `r` trajectories of k + 1 points on a grid of `levels`
/// levels; consecutive points differ in one factor by delta = levels / (2 (levels - 1)).
struct MorrisDesign {
    std::vector<std::vector<double>> points;  ///< r * (k + 1), trajectory by trajectory
    /// moved[t * k + j]: the factor that changes between points j and j + 1 of trajectory t.
    std::vector<std::size_t> moved;
    /// step[t * k + j]: its change, +delta or -delta.
    std::vector<double> step;
    std::size_t trajectories = 0;
    double delta = 0.0;
};
MorrisDesign morris_design(std::size_t r, std::size_t k, int levels, std::uint64_t seed);

/// Saltelli's scheme (Saltelli et al., 2010, Comput. Phys. Commun. 181:259) on a Sobol sequence
/// of dimension 2k (Boost.Random's sobol, Joe-Kuo direction numbers): matrices A and B from the
/// first and last k coordinates of `n` points, and for each factor i the matrix A_B^(i) (A with
/// column i from B); for each group of several factors, A with all its columns from B. Points
/// are laid out row by row: A_j, A_B^(1)_j .. A_B^(k)_j, the groups', then B_j: SALib's order
/// (sobol.analyze with calc_second_order=False) when there are no groups.
struct SaltelliDesign {
    std::vector<std::vector<double>> points;
    std::size_t n = 0;
    std::size_t k = 0;
    std::vector<std::vector<std::size_t>> groups;  ///< multi-factor groups, factor indices
    /// Independent replicates: rows [g n / R, (g + 1) n / R) are replicate g's own design.
    std::size_t replicates = 1;
    std::size_t per_row() const { return k + 2 + groups.size(); }
};
/// The sequence starts at its first point (the all-zero one) and is scrambled by a random
/// digital shift drawn from `seed` (the sweep's design seed), each coordinate at the middle of its
/// 2^-32 cell. With `replicates` R > 1 (R divides n), the rows are R designs of n / R rows, each
/// shifted by a seed of its own drawn from `seed`: independent estimates whose spread is an
/// honest error (replicated randomised QMC; docs/sweeps.md).
SaltelliDesign saltelli_design(std::size_t n, std::size_t k,
                               const std::vector<std::vector<std::size_t>>& groups,
                               std::uint64_t seed, std::size_t replicates = 1);

/// Full factorial over per-factor value counts (the last factor varies fastest): the index of
/// each factor's value at every point.
std::vector<std::vector<std::size_t>> full_factorial(const std::vector<std::size_t>& counts);

}  // namespace chokepoint
