#include "mpi_communicator.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#ifdef CHOKEPOINT_WITH_MPI
#include <mpi.h>
#endif

namespace chokepoint::cli {

bool launched_by_mpi() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "SLURM_PROCID"}) {
        if (std::getenv(v) != nullptr) {
            return std::string(v) != "SLURM_PROCID" || std::getenv("SLURM_NTASKS") != nullptr;
        }
    }
    return false;
}

#ifdef CHOKEPOINT_WITH_MPI
namespace {
class MpiCommunicator final : public Communicator {
  public:
    MpiCommunicator() {
        int ready = 0;
        MPI_Initialized(&ready);
        if (!ready) {
            MPI_Init(nullptr, nullptr);
        }
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
    }
    ~MpiCommunicator() override {
        int done = 0;
        MPI_Finalized(&done);
        if (!done) {
            MPI_Finalize();
        }
    }
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    std::vector<std::string> gather(const std::string& mine) override {
        if (mine.size() > static_cast<std::size_t>(std::numeric_limits<int>::max() / size_)) {
            // cmd_sweep refuses such sweeps up front; this is the last guard (no rank may leave a
            // collective call alone, so end them all).
            std::fprintf(stderr, "error: a point's results are too large for one MPI message\n");
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        const int length = static_cast<int>(mine.size());
        std::vector<int> lengths(static_cast<std::size_t>(size_));
        MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
        std::vector<int> offsets(static_cast<std::size_t>(size_), 0);
        int total = 0;
        for (std::size_t r = 0; r < lengths.size(); ++r) {
            offsets[r] = total;
            total += lengths[r];
        }
        std::string all(rank_ == 0 ? static_cast<std::size_t>(total) : 0, '\0');
        MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(),
                    MPI_CHAR, 0, MPI_COMM_WORLD);
        std::vector<std::string> out;
        if (rank_ == 0) {
            for (std::size_t r = 0; r < lengths.size(); ++r) {
                out.push_back(all.substr(static_cast<std::size_t>(offsets[r]),
                                         static_cast<std::size_t>(lengths[r])));
            }
        }
        return out;
    }
    std::string broadcast(const std::string& from_root) override {
        int length = static_cast<int>(std::min<std::size_t>(from_root.size(), 1u << 30));
        MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
        std::string out =
            rank_ == 0 ? from_root : std::string(static_cast<std::size_t>(length), '\0');
        MPI_Bcast(out.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
        return out;
    }

  private:
    int rank_ = 0;
    int size_ = 1;
};
}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator() {
    return std::make_unique<MpiCommunicator>();
}
void mpi_abort(int code) {
    MPI_Abort(MPI_COMM_WORLD, code);
}
#else
std::unique_ptr<Communicator> make_mpi_communicator() {
    return nullptr;
}
void mpi_abort(int code) {
    std::exit(code);
}
#endif

}  // namespace chokepoint::cli
