#include "chokepoint/core/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "chokepoint/core/diagnostics.hpp"

namespace chokepoint {

namespace {

std::string open_error(int e) {
    if (e == ENOENT || e == ENOTDIR) {
        return "no such file";
    }
    if (e == ELOOP) {
        return "too many levels of symbolic links";
    }
    if (e == ENAMETOOLONG) {
        return "the name is too long";
    }
    return std::strerror(e);
}

std::string not_regular(const struct stat& st) {
    return S_ISDIR(st.st_mode) ? "is a directory, not a file"
                               : "is not a regular file (a device, FIFO or socket)";
}

}  // namespace

std::string why_not_regular_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return open_error(errno);
    }
    return S_ISREG(st.st_mode) ? std::string() : not_regular(st);
}

std::string describe_unusable_file(const std::string& what, const std::string& path,
                                   const std::string& why) {
    if (why == "no such file") {
        return what + " file not found: " + path;
    }
    if (why.rfind("is ", 0) == 0) {
        return path + " " + why;
    }
    return "cannot open the " + what + " file: " + why + ": " + path;
}

std::string read_input_file(const std::string& path, std::size_t max_bytes) {
    auto fail = [&](const std::string& why) {
        throw InputError(SourceLocation{path, 0, 0}, "", why);
    };
    // Open without blocking (a FIFO would wait for a writer), then look at what was opened.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        fail("cannot open file: " + open_error(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(not_regular(st));
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
