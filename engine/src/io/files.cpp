#include "chokepoint/io/files.hpp"
#include <charconv>

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace chokepoint {

namespace {
// Writes all of `data` to `fd`; false on any error (errno set).
bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}
}  // namespace

namespace {
// std::runtime_error, or NoSpaceError when errno says the disk or the quota is full.
[[noreturn]] void fail(const std::string& message, int error) {
    const std::string text = message + ": " + std::strerror(error);
    if (error == ENOSPC || error == EDQUOT) {
        throw NoSpaceError(text);
    }
    throw std::runtime_error(text);
}
}  // namespace

bool is_no_space(const std::exception& e) {
    if (dynamic_cast<const NoSpaceError*>(&e) != nullptr) {
        return true;
    }
    if (const auto* s = dynamic_cast<const std::system_error*>(&e)) {
        return s->code() == std::errc::no_space_on_device ||
               s->code() == std::error_code(EDQUOT, std::generic_category()) ||
               s->code() == std::error_code(EDQUOT, std::system_category());
    }
    return false;
}

void sync_file(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int error = errno;
        if (fd >= 0) {
            ::close(fd);
        }
        fail("cannot sync " + path.string(), error);
    }
    ::close(fd);
}

void sync_directory(const std::filesystem::path& dir) {
    const std::filesystem::path d = dir.empty() ? std::filesystem::path(".") : dir;
    const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        throw std::runtime_error("cannot open directory " + d.string() + ": " +
                                 std::strerror(errno));
    }
    ::fsync(fd);  // some file systems refuse fsync on directories; the rename is still done
    ::close(fd);
}

std::filesystem::path follow_links(const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    fs::path p = path;
    for (int hop = 0; hop < 40; ++hop) {
        std::error_code ec;
        if (!fs::is_symlink(fs::symlink_status(p, ec))) {
            return p;
        }
        const fs::path to = fs::read_symlink(p, ec);
        if (ec) {
            throw std::runtime_error("cannot read the link " + path.string() + ": " + ec.message());
        }
        p = to.is_absolute() ? to : p.parent_path() / to;
    }
    throw std::runtime_error(path.string() + ": too many levels of symbolic links");
}

namespace {
// What is at `path` (not following a link), refused unless nothing, a regular file or a link:
// "a FIFO"; empty when it may be replaced.
std::string not_replaceable(const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::symlink_status(path, ec);
    if (!fs::exists(st) || fs::is_regular_file(st) || fs::is_symlink(st)) {
        return "";
    }
    return fs::is_directory(st)        ? "a directory"
           : fs::is_fifo(st)           ? "a FIFO"
           : fs::is_character_file(st) ? "a character device"
           : fs::is_block_file(st)     ? "a block device"
           : fs::is_socket(st)         ? "a socket"
                                       : "not a regular file";
}

// A link in a sticky directory anyone may write (/tmp) that neither this user nor the
// directory's owner made: the kernel's fs.protected_symlinks refuses to follow those, and so do
// we (follow_links reads links itself, past that guard).
bool planted_link(const std::filesystem::path& link) {
    struct stat l {};
    struct stat d {};
    const std::filesystem::path dir = link.parent_path().empty() ? "." : link.parent_path();
    if (::lstat(link.c_str(), &l) != 0 || !S_ISLNK(l.st_mode) || ::stat(dir.c_str(), &d) != 0) {
        return false;
    }
    const bool shared = (d.st_mode & S_ISVTX) != 0 && (d.st_mode & S_IWOTH) != 0;
    return shared && l.st_uid != ::geteuid() && l.st_uid != d.st_uid;
}
}  // namespace

std::filesystem::path user_file_target(const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    if (planted_link(path)) {
        throw std::runtime_error(path.string() +
                                 " is a link another user made in a shared directory; this "
                                 "program does not write through it");
    }
    const fs::path target = follow_links(path);
    const std::string what = not_replaceable(target);
    if (what.empty()) {
        return target;
    }
    throw std::runtime_error(
        path.string() + (target == path ? "" : " (a link to " + target.string() + ")") + " is " +
        what + ": this program only replaces regular files; name a file");
}

void write_file_atomic(const std::filesystem::path& path, const std::string& contents) {
    // The rename replaces a regular file, or a link itself (never what it points at); anything
    // else is never replaced.
    if (const std::string what = not_replaceable(path); !what.empty()) {
        throw std::runtime_error(path.string() + " is " + what +
                                 ": this program only replaces regular files");
    }
    const auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        throw std::runtime_error("cannot create directory " + dir.string() + ": " + ec.message());
    }
    const auto tmp = dir / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()));
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fail("cannot write " + tmp.string(), errno);
    }
    if (!write_all(fd, contents.data(), contents.size()) || ::fsync(fd) != 0) {
        const int error = errno;
        ::close(fd);
        std::filesystem::remove(tmp, ec);
        fail("cannot write " + path.string(), error);
    }
    if (::close(fd) != 0) {
        const int error = errno;
        std::filesystem::remove(tmp, ec);
        fail("cannot write " + path.string(), error);
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw std::runtime_error("cannot rename into " + path.string() + ": " + ec.message());
    }
    sync_directory(dir);
}

void append_durably(const std::filesystem::path& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        fail("cannot open " + path.string(), errno);
    }
    if (!write_all(fd, text.data(), text.size()) || ::fsync(fd) != 0) {
        const int error = errno;
        ::close(fd);
        fail("cannot append to " + path.string(), error);
    }
    ::close(fd);
    sync_directory(path.parent_path());
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path.string());
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string sha256_hex(const std::string& bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    static constexpr char HEX[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += HEX[digest[i] >> 4];
        out += HEX[digest[i] & 15];
    }
    return out;
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) {
        return text;
    }
    std::string out = "\"";
    for (char c : text) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

std::string format_exact(double value) {
    if (std::isinf(value)) {
        return value > 0.0 ? "inf" : "-inf";  // what pandas, numpy and R read as infinity
    }
    if (std::isnan(value)) {
        return "";  // no value
    }
    if (value == 0.0) {
        return "0";  // also for -0
    }
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, r.ptr);
}

std::string compact(double v) {
    char buf[32];
    if (std::abs(v) >= 9999.5) {
        std::snprintf(buf, sizeof buf, "%.1fk", v / 1000.0);
    } else {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    }
    return buf;
}

std::string format_number(double value, int decimals) {
    if (!std::isfinite(value)) {
        return format_exact(value);
    }
    if (std::abs(value) >= 1e15) {
        return format_exact(value);  // "%f" of such values would need more than 64 characters
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    std::string s(buf);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') {
            s.pop_back();
        }
        if (s.back() == '.') {
            s.pop_back();
        }
    }
    if (s == "-0") {
        s = "0";
    }
    return s;
}

}  // namespace chokepoint
