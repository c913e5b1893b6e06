#include "chokepoint/core/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "chokepoint/core/diagnostics.hpp"

namespace chokepoint {

std::string read_input_file(const std::string& path, std::size_t max_bytes) {
    auto fail = [&](const std::string& why) {
        throw InputError(SourceLocation{path, 0, 0}, "", why);
    };
    // Open without blocking (a FIFO would wait for a writer), then look at what was opened.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        const int e = errno;
        if (e == ENOENT) {
            fail("cannot open file: no such file");
        }
        if (e == ELOOP) {
            fail("cannot open file: too many levels of symbolic links");
        }
        if (e == ENAMETOOLONG) {
            fail("cannot open file: the name is too long");
        }
        fail(std::string("cannot open file: ") + std::strerror(e));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(S_ISDIR(st.st_mode) ? "is a directory, not a file"
                                 : "is not a regular file (a device, FIFO or socket)");
    }
    if (static_cast<std::size_t>(st.st_size) > max_bytes) {
        ::close(fd);
        fail("is larger than the limit of " + std::to_string(max_bytes >> 20) + " MiB");
    }
    std::string out;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            const std::string why = std::strerror(errno);
            ::close(fd);
            fail("cannot read: " + why);
        }
        if (n == 0) {
            break;
        }
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > max_bytes) {
            ::close(fd);
            fail("is larger than the limit of " + std::to_string(max_bytes >> 20) + " MiB");
        }
    }
    ::close(fd);
    return out;
}

}  // namespace chokepoint
