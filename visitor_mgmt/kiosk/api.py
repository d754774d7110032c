"""The kiosk's typeahead: a small JSON search over the account's hosts and groups.

Authenticated by the kiosk device cookie (not a user session) and rate limited per
device. Entries carry only a public id, the name as the privacy setting allows, and the
department: never an e-mail address or a phone number.
"""

from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from visitor_mgmt.kiosk.device import device_for_request
from visitor_mgmt.kiosk.selectors import MIN_QUERY_LENGTH, kiosk_groups, kiosk_host_search
from visitor_mgmt.kiosk.services import search_rate_limited, search_retry_after


class KioskHostSearchView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def get(self, request, account_slug):
        account, device = device_for_request(request, account_slug)
        if device is None:
            return self._no_store(Response({"detail": "This device is not enabled."}, status=403))
        if search_rate_limited(device=device):
            return self._no_store(
                Response(
                    {"detail": "Too many searches. Wait a moment and try again."},
                    status=429,
                    headers={"Retry-After": str(search_retry_after())},
                )
            )
        query = request.query_params.get("q", "")[:200]
        return self._no_store(
            Response(
                {
                    "query": query,
                    "min_length": MIN_QUERY_LENGTH,
                    "results": kiosk_host_search(account=account, query=query),
                    "groups": kiosk_groups(account=account, query=query),
                }
            )
        )

    @staticmethod
    def _no_store(response):
        response["Cache-Control"] = "no-store"
        return response
