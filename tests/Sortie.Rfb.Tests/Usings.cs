global using Sortie.Rfb;
global using Sortie.Testing;
global using Xunit;
global using static Sortie.Rfb.RfbConstants;
