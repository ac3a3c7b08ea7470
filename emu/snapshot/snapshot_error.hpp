// Why a snapshot cannot be read or does not fit this machine. Every bad file
// ends here, with a message that says what is wrong; hm386 turns it into exit
// status 65 (docs/cli.md).
#pragma once
#include <stdexcept>
#include <string>

namespace hm::snap {

class SnapshotError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace hm::snap
