using Sortie.E2E;
using Sortie.Testing;

// One portal and one browser for every browser test: each started per class cost a Release server's start and a
// Chromium's (about a fifth of this project's CPU). The tests never assume they are alone on the portal: each makes
// its own users, and an admin's view is checked for its own sessions only.
[assembly: AssemblyFixture(typeof(ProductionPortal))]
[assembly: AssemblyFixture(typeof(Browser))]
