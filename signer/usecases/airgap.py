"""Is this host air-gapped? Non-loopback interfaces that are up, radios present."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class AirGap:
    interfaces_up: list[str] = field(default_factory=list)
    wireless: list[str] = field(default_factory=list)
    bluetooth: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.interfaces_up or self.wireless or self.bluetooth)

    def as_json(self) -> dict[str, object]:
        return {
            "air_gapped": self.ok,
            "interfaces_up": self.interfaces_up,
            "wireless": self.wireless,
            "bluetooth": self.bluetooth,
        }

    def summary(self) -> str:
        if self.ok:
            return "AIR-GAPPED: no network interface is up, no radio present"
        parts = []
        if self.interfaces_up:
            parts.append("interfaces up: " + ", ".join(self.interfaces_up))
        if self.wireless:
            parts.append("wireless devices: " + ", ".join(self.wireless))
        if self.bluetooth:
            parts.append("bluetooth devices: " + ", ".join(self.bluetooth))
        return "NETWORKED: " + "; ".join(parts)


def check(sys_root: Path = Path("/sys")) -> AirGap:
    """Read /sys/class/net and /sys/class/bluetooth (``sys_root`` is injectable for tests)."""
    net = sys_root / "class" / "net"
    up, wireless = [], []
    for interface in sorted(net.iterdir()) if net.is_dir() else []:
        if interface.name == "lo":
            continue
        if (interface / "wireless").exists() or (interface / "phy80211").exists():
            wireless.append(interface.name)
        try:
            state = (interface / "operstate").read_text().strip()
            flags = int((interface / "flags").read_text().strip(), 16)
        except (OSError, ValueError):
            continue
        # operstate is "unknown" on some virtual NICs that carry traffic; IFF_UP (0x1) decides.
        if state == "up" or (state == "unknown" and flags & 0x1):
            up.append(interface.name)
    bt_dir = sys_root / "class" / "bluetooth"
    bluetooth = sorted(p.name for p in bt_dir.iterdir()) if bt_dir.is_dir() else []
    return AirGap(up, wireless, bluetooth)
