global using Sortie.Rfb;
global using Xunit;
global using static Sortie.Rfb.RfbConstants;
