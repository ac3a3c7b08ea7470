// The boot banner.
#pragma once
extern const char linux_banner[];
