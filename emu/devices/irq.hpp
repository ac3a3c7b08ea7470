// Interrupt request lines between devices and the interrupt controller. A device
// holds an IrqLine and drives its level; the PIC pair decides what an edge or a
// level means (ICW1.LTIM, ELCR). Unconnected lines (sink == nullptr) do nothing,
// which lets device tests run without a PIC.
#pragma once
#include "core/types.hpp"

namespace hm {

class IrqSink {
public:
    virtual ~IrqSink() = default;
    virtual void set_irq(unsigned line, bool level) = 0;
};

struct IrqLine {
    IrqSink* sink = nullptr;
    unsigned line = 0;

    void set(bool level) const {
        if (sink) sink->set_irq(line, level);
    }
    // A rising edge that does not stay high (timer outputs on edge-triggered inputs).
    void pulse() const {
        set(false);
        set(true);
        set(false);
    }
};

}  // namespace hm
