//! Entry point of the console's WebAssembly binary.

fn main() {
    gatehouse_console::start();
}
