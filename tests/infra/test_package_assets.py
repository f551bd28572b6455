"""The deployment package ships the generated assets: `make package` and `make deploy` run
`make static` first, and Chalice packages every file under chalicelib/ (gitignored or not),
so the DSFR copy and the booth's bundle are in deployment.zip beside the pages."""

from chalice.deploy.packager import BaseLambdaDeploymentPackager
from chalice.utils import OSUtils

from chalicelib.web import site
from tests.support import ROOT


def test_chalice_packages_the_booth_bundle_and_the_dsfr():
    packager = BaseLambdaDeploymentPackager.__new__(BaseLambdaDeploymentPackager)
    packager._osutils = OSUtils()
    shipped = {zip_path for _, zip_path in packager._iter_app_filenames(str(ROOT))}
    assert (site.STATIC / site.BOOTH_BUNDLE).is_file(), "run `make static` first"
    assert f"chalicelib/static/{site.BOOTH_BUNDLE}" in shipped
    assert "chalicelib/static/dsfr/dsfr.min.css" in shipped
    assert not any(name.startswith(("booth/", "node_modules/")) for name in shipped)  # sources stay home
