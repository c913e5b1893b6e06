# Warning and sanitizer flags as interface targets (the fmt/Catch2 way): link a target to
# chokepoint::warnings to get them; CHOKEPOINT_DEVELOPER turns warnings into errors.
add_library(chokepoint_warnings INTERFACE)
add_library(chokepoint::warnings ALIAS chokepoint_warnings)
target_compile_options(chokepoint_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
# GCC 12 at -O3 reports -Wrestrict false positives inside libstdc++'s std::string operator+
# (GCC bug 105651, fixed in GCC 13); they would greet every new user of the release build.
target_compile_options(chokepoint_warnings INTERFACE
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)
if(CHOKEPOINT_DEVELOPER)
    target_compile_options(chokepoint_warnings INTERFACE -Werror)
endif()
if(CHOKEPOINT_SANITIZE)
    # GCC documents that sanitizer instrumentation makes -Wmaybe-uninitialized report false
    # positives (here inside libstdc++'s <regex> and <functional>); the dev preset keeps it.
    target_compile_options(chokepoint_warnings INTERFACE
        $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
endif()

add_library(chokepoint_sanitizers INTERFACE)
add_library(chokepoint::sanitizers ALIAS chokepoint_sanitizers)
if(CHOKEPOINT_SANITIZE)
    target_compile_options(chokepoint_sanitizers INTERFACE
        -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(chokepoint_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
if(CHOKEPOINT_FUZZ)
    # Coverage for libFuzzer in every library function; the targets add -fsanitize=fuzzer.
    target_compile_options(chokepoint_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
endif()
option(CHOKEPOINT_TSAN "Build with ThreadSanitizer" OFF)
if(CHOKEPOINT_TSAN)
    target_compile_options(chokepoint_sanitizers INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(chokepoint_sanitizers INTERFACE -fsanitize=thread)
endif()
