#include "devices/ioapic.hpp"

namespace hm {

namespace {
constexpr u64 kMasked = 1u << 16, kRemoteIrr = 1u << 14, kLevel = 1u << 15;
// Writable bits of an entry: vector, mode, dest mode, polarity, trigger, mask, destination.
constexpr u64 kWritable = 0xFF000000'0001AFFFull;
}  // namespace

IoApic::IoApic(ApicBus& bus) : bus_(bus) {
    bus_.on_eoi([this](u8 v) { end_of_interrupt(v); });
    reset();
}

void IoApic::reset() {
    const u32 lines = st_.lines;
    st_ = IoApicState{};
    st_.lines = lines;
    for (u64& e : st_.redirection) e = kMasked;
}

u64 IoApic::mmio_read(u64 offset, unsigned size) {
    u32 v = 0;
    if (offset < 4) v = st_.select >> (offset * 8);
    else if (offset >= 0x10 && offset < 0x14) v = read_register(st_.select) >> ((offset - 0x10) * 8);
    return size >= 4 ? v : v & ((1u << (size * 8)) - 1);
}

void IoApic::mmio_write(u64 offset, u64 value, unsigned size) {
    if (offset == 0) {
        st_.select = static_cast<u8>(value);
    } else if (offset == 0x10 && size == 4) {  // IOWIN takes dword writes only
        write_register(st_.select, static_cast<u32>(value));
    }
}

u32 IoApic::read_register(u8 index) const {
    switch (index) {
        case 0: return u32{st_.id} << 24;
        case 1: return kVersion;
        case 2: return u32{st_.id} << 24;  // arbitration ID
        default:
            if (index >= 0x10 && index < 0x10 + 2 * kPins) {
                const u64 e = st_.redirection[(index - 0x10) / 2];
                return static_cast<u32>((index & 1) ? e >> 32 : e);
            }
            return 0;
    }
}

void IoApic::write_register(u8 index, u32 value) {
    if (index == 0) {
        st_.id = (value >> 24) & 0xF;
        return;
    }
    if (index < 0x10 || index >= 0x10 + 2 * kPins) return;  // read-only or absent
    const unsigned pin = (index - 0x10) / 2;
    u64& e = st_.redirection[pin];
    const u64 shift = (index & 1) ? 32 : 0;
    const u64 mask = (kWritable >> shift & 0xFFFFFFFF) << shift;
    e = (e & ~mask) | ((u64{value} << shift) & mask);
    if (!(e & kLevel)) e &= ~kRemoteIrr;  // remote IRR means nothing for edge entries
    service(pin);
}

void IoApic::set_irq(unsigned pin, bool level) {
    if (pin >= kPins) return;
    const u32 bit = 1u << pin;
    const bool was = st_.lines & bit;
    if (level) st_.lines |= bit;
    else st_.lines &= ~bit;
    if (level && !was && !(st_.redirection[pin] & kLevel)) st_.pending |= bit;  // an edge
    service(pin);
}

// Sends the pin's interrupt if it has one to send and the entry lets it.
void IoApic::service(unsigned pin) {
    u64& e = st_.redirection[pin];
    const u32 bit = 1u << pin;
    if (e & kMasked) return;
    const bool level = e & kLevel;
    if (level) {
        if (!(st_.lines & bit) || (e & kRemoteIrr)) return;
    } else {
        if (!(st_.pending & bit)) return;
        st_.pending &= ~bit;
    }
    ApicMessage m;
    m.vector = static_cast<u8>(e);
    m.mode = static_cast<u8>((e >> 8) & 7);
    m.logical = e & (1u << 11);
    m.level_trigger = level;
    m.destination = static_cast<u8>(e >> 56);
    if (level) e |= kRemoteIrr;
    ++delivered_;
    bus_.send(m);
}

void IoApic::end_of_interrupt(u8 vector) {
    for (unsigned pin = 0; pin < kPins; ++pin) {
        u64& e = st_.redirection[pin];
        if ((e & kLevel) && (e & kRemoteIrr) && static_cast<u8>(e) == vector) {
            e &= ~kRemoteIrr;
            service(pin);
        }
    }
}

}  // namespace hm
