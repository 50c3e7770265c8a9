"""City needs: posting, the claim lifecycle, and every need's history."""
