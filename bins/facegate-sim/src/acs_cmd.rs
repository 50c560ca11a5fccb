//! `facegate-sim acs` (owned by the acs simulator work; replaced there).

/// Arguments of `facegate-sim acs`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the simulator until interrupted.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("the acs simulator is not built yet")
}
