// COM1 console.
#pragma once
void early_serial_init();
